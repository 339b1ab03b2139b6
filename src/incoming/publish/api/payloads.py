"""What the API answers, as JSON-ready dicts matching the schemas of `openapi.py`.

The public views leave out what only the hub's owner should see: a notes folder's path on the
server and a source's last error. Token holders get those in the detail view.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from incoming.index import SearchHit
from incoming.publish.data import ArticleDetail
from incoming.publish.urls import article_path, href, source_path, topic_path
from incoming.store.articles import Article
from incoming.store.queries import ArticleRef, SourceSummary, TopicSummary
from incoming.store.sources import Source

if TYPE_CHECKING:
    from incoming.sources.refresh import Outcome


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def source_state(source: Source) -> str:
    """ "new" until its first fetch, "failing" while its fetches fail, else "ok"."""
    if source.error_count:
        return "failing"
    return "new" if source.last_success_at is None else "ok"


def article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "link": href(article_path(article.id, article.title)),
        "url": article.url,
        "author": article.author,
        "language": article.language,
        "published": _iso(article.published),
        "updated": article.updated.isoformat(),
        "source": {"id": article.source_id, "title": article.source_title},
        "topics": [{"slug": slug, "name": name} for slug, name in article.topics],
        "excerpt_html": article.excerpt_html,
        "gone": article.gone,
    }


def search_hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.article_id,
        "title": hit.title,
        "title_html": hit.title_html,
        "link": href(article_path(hit.article_id, hit.title)),
        "url": hit.url,
        "published": _iso(hit.published),
        "updated": hit.updated.isoformat(),
        "source": {"id": hit.source_id, "title": hit.source_title},
        "score": hit.score,
        "snippet_html": hit.snippet_html,
    }


def _ref_json(ref: ArticleRef | None) -> dict[str, Any] | None:
    return None if ref is None else {"id": ref.id, "title": ref.title}


def article_detail_json(detail: ArticleDetail) -> dict[str, Any]:
    article = detail.article
    return article_json(article) | {
        "content_html": article.content_html,
        "content_text": article.content_text,
        "newer": _ref_json(detail.newer),
        "older": _ref_json(detail.older),
    }


def source_json(source: Source, articles: int) -> dict[str, Any]:
    return {
        "id": source.id,
        "link": source_path(source.id),
        "kind": source.kind,
        "title": source.title,
        "url": source.url if source.kind == "feed" else None,
        "site_url": source.site_url,
        "topic": source.topic,
        "articles": articles,
        "state": source_state(source),
        "last_success_at": _iso(source.last_success_at),
    }


def source_detail_json(source: Source, articles: int) -> dict[str, Any]:
    return source_json(source, articles) | {
        "format": source.content_format,
        "error_count": source.error_count,
        "last_error": source.last_error,
        "last_error_at": _iso(source.last_error_at),
        "last_checked_at": _iso(source.last_checked_at),
        "next_check_at": _iso(source.next_check_at),
    }


def source_summary_json(summary: SourceSummary) -> dict[str, Any]:
    return source_json(summary.source, summary.article_count)


def topic_json(summary: TopicSummary) -> dict[str, Any]:
    return {
        "slug": summary.topic.slug,
        "link": href(topic_path(summary.topic.slug)),
        "name": summary.topic.name,
        "articles": summary.article_count,
    }


def outcome_json(outcome: Outcome, source: Source, articles: int) -> dict[str, Any]:
    return {
        "source": source_detail_json(source, articles),
        "new": outcome.counts.new,
        "updated": outcome.counts.updated,
        "unchanged": outcome.counts.unchanged,
        "not_modified": outcome.not_modified,
        "error": outcome.error,
    }
