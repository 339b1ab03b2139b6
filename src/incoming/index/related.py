"""Related articles: the ones sharing an article's rarest keywords (TF-IDF over the same tokens).

The keywords (the article's most frequent content tokens) are stored when it is indexed; how
rare each is, is counted here through the index, up to RARE_LIMIT matches: a keyword that more
articles share is common and left out, so the whole lookup reads at most KEYWORDS_PER_ARTICLE
short lists of ids, a few milliseconds even in a million articles.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, select

from incoming.index.matching import leaf_query, matcher_for
from incoming.index.query import Phrase
from incoming.index.ranking import idf
from incoming.index.schema import search_documents
from incoming.store.schema import articles

RARE_LIMIT = 500  # a keyword found in more articles than this is too common to relate them


def related_articles(
    connection: Connection, article_id: int, *, limit: int = 5
) -> list[tuple[int, str]]:
    """Up to `limit` (id, title) of the articles sharing the most rare keywords, best first."""
    keywords = connection.execute(
        select(search_documents.c.keywords).where(search_documents.c.article_id == article_id)
    ).scalar()
    if not keywords or limit <= 0:
        return []
    scores: Counter[int] = Counter()
    with matcher_for(connection) as matcher:
        documents = matcher.top or 0
        queries = [leaf_query(Phrase((keyword,))) for keyword in keywords.split()]
        for ids in matcher.newest_each(queries, limit=RARE_LIMIT + 1):
            if len(ids) > RARE_LIMIT:
                continue
            weight = idf(len(ids), documents)
            for other in ids:
                if other != article_id:
                    scores[other] += weight
    best = sorted(scores.items(), key=lambda item: (-round(item[1], 9), -item[0]))[:limit]
    titles = dict(
        connection.execute(
            select(articles.c.id, articles.c.title).where(articles.c.id.in_([i for i, _ in best]))
        ).all()
    )
    return [(other, titles[other]) for other, _ in best if other in titles]
