"""OPML 1.0/2.0 subscription lists in and out; nested category outlines become topics.

OPML files come from users and other services, so the XML parser never resolves external
entities, loads a DTD or touches the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from incoming.errors import ParseError
from incoming.parse.encoding import as_utf8_xml, decode_document


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """One subscribed feed; `topic` is the innermost category outline around it."""

    url: str
    title: str | None
    site_url: str | None
    topic: str | None


def parse_opml(data: bytes) -> list[OpmlOutline]:
    """Every outline with an `xmlUrl` (any `type`, attribute names in any case), in order."""
    root = _parse_xml(data)
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise ParseError(f"not an OPML list: the root element is <{etree.QName(root).localname}>")
    body = next(_children(root, "body"), None)
    if body is None:
        raise ParseError("OPML list has no <body>")
    return list(_feeds_below(body, topic=None))


def render_opml(outlines: Iterable[OpmlOutline], *, title: str) -> bytes:
    """OPML 2.0: feeds without a topic first, then one category outline per topic."""
    root = etree.Element("opml", version="2.0")
    etree.SubElement(etree.SubElement(root, "head"), "title").text = title
    body = etree.SubElement(root, "body")
    outlines = list(outlines)
    for outline in outlines:
        if not outline.topic:
            _feed_outline(body, outline)
    categories: dict[str, etree._Element] = {}
    for outline in outlines:
        if outline.topic:
            if outline.topic not in categories:
                categories[outline.topic] = etree.SubElement(
                    body, "outline", text=outline.topic, title=outline.topic
                )
            _feed_outline(categories[outline.topic], outline)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _parse_xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(as_utf8_xml(decode_document(data, None)), parser)
    except etree.XMLSyntaxError as error:
        raise ParseError(f"OPML list is not well-formed XML: {error}") from error


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname.lower() == name:
            yield child


def _feeds_below(element: etree._Element, topic: str | None) -> Iterator[OpmlOutline]:
    for outline in _children(element, "outline"):
        attributes = {
            etree.QName(name).localname.lower(): value.strip()
            for name, value in outline.attrib.items()
        }
        label = attributes.get("text") or attributes.get("title") or None
        url = attributes.get("xmlurl")
        if url:
            yield OpmlOutline(
                url=url,
                # A label that only repeats the URL is no title (render_opml writes it so).
                title=label if label != url else None,
                site_url=attributes.get("htmlurl") or None,
                topic=topic,
            )
            yield from _feeds_below(outline, topic)
        else:
            yield from _feeds_below(outline, label or topic)


def _feed_outline(parent: etree._Element, outline: OpmlOutline) -> None:
    element = etree.SubElement(parent, "outline", type="rss", text=outline.title or outline.url)
    if outline.title:
        element.set("title", outline.title)
    element.set("xmlUrl", outline.url)
    if outline.site_url:
        element.set("htmlUrl", outline.site_url)
