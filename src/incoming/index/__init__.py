"""Search: one tokenizer for both databases, an index that follows the store, the query
language, BM25 ranking, snippets, and related articles."""

from incoming.index.documents import index_articles, reindex
from incoming.index.related import related_articles
from incoming.index.search import SearchHit, SearchPage, search

__all__ = [
    "SearchHit",
    "SearchPage",
    "index_articles",
    "reindex",
    "related_articles",
    "search",
]
