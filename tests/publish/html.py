"""Reading the site's HTML back in tests: parsed with lxml, queried with XPath."""

from __future__ import annotations

import httpx
import lxml.html


def page(response: httpx.Response) -> lxml.html.HtmlElement:
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return lxml.html.document_fromstring(response.text)


def cls(name: str, tag: str = "*") -> str:
    """XPath for elements carrying the class `name`, anywhere."""
    return f"//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def texts(document: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(element.text_content().split()) for element in document.xpath(xpath)]


def hrefs(document: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [element.get("href") for element in document.xpath(xpath)]
