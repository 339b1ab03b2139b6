"""The per-source retention limit on both databases: the oldest go, with their index rows;
what the feed lists and what another article links to stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from incoming.index.schema import search_documents
from incoming.models import ArticleDraft
from incoming.store.articles import latest_articles, save_drafts
from incoming.store.engine import Store
from incoming.store.retention import prune_source
from incoming.store.schema import article_topics, articles
from incoming.store.sources import add_source

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def draft(n: int, html: str = "") -> ArticleDraft:
    return ArticleDraft(
        identity=f"g:{n}",
        guid=str(n),
        url=f"https://example.org/{n}",
        title=f"article {n}",
        author=None,
        language="en",
        published=NOW - timedelta(hours=n),
        updated=None,
        content_html=html or f"<p>text {n}</p>",
        content_text=f"text {n}",
        excerpt_html=f"text {n}",
        content_hash=f"hash-{n}",
        topics=(("nlp", "NLP"),),
    )


def stored(store: Store, source_id: int) -> list[int]:
    with store.read() as connection:
        return sorted(
            int(a.guid or 0) for a in latest_articles(connection, limit=100, source_id=source_id)
        )


def test_the_oldest_beyond_the_limit_go_with_their_index_rows(store: Store) -> None:
    link = '<p>see <a href="https://example.org/28?utm_source=x&amp;utm_medium=y">part one</a></p>'
    with store.write() as connection:
        source = add_source(connection, kind="feed", url="https://example.org/feed", now=NOW)
        other = add_source(connection, kind="feed", url="https://example.org/other", now=NOW)
        save_drafts(
            connection,
            source.id,
            [draft(2, link), *(draft(n) for n in range(1, 31) if n != 2)],
            now=NOW,
        )
        save_drafts(connection, other.id, [draft(n) for n in range(1, 31)], now=NOW)
        ids = dict(
            connection.execute(
                select(articles.c.identity, articles.c.id).where(articles.c.source_id == source.id)
            ).all()
        )
    with store.write() as connection:
        assert prune_source(connection, source.id, keep=28, listed=[]) == 0  # within a tenth over
        assert prune_source(connection, source.id, keep=0, listed=[]) == 0  # no limit
        deleted = prune_source(connection, source.id, keep=10, listed=["g:25"])
    kept = [*range(1, 11), 25, 28]  # the newest ten, one the feed lists, one linked to
    assert deleted == 30 - len(kept)
    assert stored(store, source.id) == kept
    assert stored(store, other.id) == list(range(1, 31))  # other sources untouched
    gone = [ids[f"g:{n}"] for n in range(1, 31) if n not in kept]
    with store.read() as connection:
        for table, column in (
            (search_documents, search_documents.c.article_id),
            (article_topics, article_topics.c.article_id),
        ):
            left = connection.execute(
                select(func.count()).select_from(table).where(column.in_(gone))
            ).scalar_one()
            assert left == 0, table.name
        indexed = connection.execute(
            select(func.count())
            .select_from(search_documents)
            .where(search_documents.c.article_id.in_(list(ids.values())))
        ).scalar_one()
    assert indexed == len(kept)
