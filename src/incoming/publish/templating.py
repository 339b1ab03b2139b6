"""The one Jinja environment of the site; the admin pages render through `templates` too.

Templates extending `base.html` need `site` (SiteSettings) and `assets` (Assets) in their
context: `templates` adds both from `request.app.state`, the site's own pages pass them.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from incoming.publish import urls
from incoming.publish.data import SEARCH_MAX_CHARS
from incoming.publish.dates import absolute_time, machine_time, relative_time


def make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("incoming.publish", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters.update(
        machine_time=machine_time, absolute_time=absolute_time, relative_time=relative_time
    )
    environment.globals.update(
        article_path=urls.article_path,
        source_path=urls.source_path,
        topic_path=urls.topic_path,
        page_path=urls.page_path,
        href=urls.href,
        external_url=urls.external_url,
        search_path=urls.SEARCH_PATH,
        search_max_chars=SEARCH_MAX_CHARS,
    )
    return environment


environment = make_environment()


def site_context(request: Request) -> dict[str, Any]:
    state = request.app.state
    return {"site": state.settings, "assets": state.assets}


templates = Jinja2Templates(env=environment, context_processors=[site_context])
