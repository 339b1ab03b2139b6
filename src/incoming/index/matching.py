"""Which articles match a parsed query: an FTS5 MATCH on SQLite, tsvectors on PostgreSQL.

Both are built from our tokens only, never from the user's text as syntax: every token is
quoted, and the operators come from the parsed structure. Both find the same articles:

- a phrase (the tokens of a word, CJK string or quoted phrase) matches when its tokens follow
  one another in the title or in the text: an FTS5 phrase in the word columns; on PostgreSQL,
  every token in the tsvector (GIN) and the phrase, spaces around it, in the token string;
- a character matches when it is in the title's or the text's chars stream.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    cast,
    column,
    func,
    literal,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from incoming.index.query import Char, Leaf, Phrase, Query, Term
from incoming.index.schema import FTS_TABLE, TITLES_FTS_TABLE, search_documents
from incoming.store.schema import articles


class Matcher(Protocol):
    def ids(
        self, query: Query, scope: list[ColumnElement[bool]], *, title_only: bool
    ) -> Select[Any]:
        """Ids of matching articles (in `scope`: conditions on `articles`), newest first."""
        ...


def leaf_query(leaf: Leaf) -> Query:
    """The query looking for one leaf alone."""
    return Query(groups=(((Term((leaf,), ())),),))


# --- SQLite -------------------------------------------------------------------------------

_fts = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
_titles_fts = table(TITLES_FTS_TABLE, column("rowid"), column(TITLES_FTS_TABLE))


def _fts_string(tokens: tuple[str, ...]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _fts_leaf(leaf: Leaf, *, title_only: bool) -> str:
    if isinstance(leaf, Char):
        columns = "{title_chars}" if title_only else "{title_chars body_chars}"
        return f"{columns} : {_fts_string((leaf.char,))}"
    columns = "{title_words}" if title_only else "{title_words body_words}"
    return f"{columns} : {_fts_string(leaf.tokens)}"


def _fts_term(term: Term, *, title_only: bool) -> str:
    return "(" + " AND ".join(_fts_leaf(leaf, title_only=title_only) for leaf in term.leaves) + ")"


def _fts_any(terms: tuple[Term, ...], *, title_only: bool) -> str:
    return "(" + " OR ".join(_fts_term(term, title_only=title_only) for term in terms) + ")"


def fts_match(query: Query, *, title_only: bool = False) -> str:
    """The FTS5 MATCH expression of a query's groups (and, unless title_only, its exclusions)."""
    expression = " AND ".join(_fts_any(group, title_only=title_only) for group in query.groups)
    if query.excluded and not title_only:
        expression = f"({expression}) NOT {_fts_any(query.excluded, title_only=False)}"
    return expression


def _match(index: Any, expression: str) -> ColumnElement[bool]:
    return index.c[index.name].bool_op("MATCH")(literal(expression))


class SqliteMatcher:
    def ids(
        self, query: Query, scope: list[ColumnElement[bool]], *, title_only: bool
    ) -> Select[Any]:
        index = _titles_fts if title_only else _fts
        rowid = index.c.rowid
        found = select(rowid.label("id")).where(
            _match(index, fts_match(query, title_only=title_only))
        )
        if title_only and query.excluded:  # the text is in the other index
            excluded = _fts_any(query.excluded, title_only=False)
            found = found.where(rowid.not_in(select(_fts.c.rowid).where(_match(_fts, excluded))))
        if scope:
            found = found.join_from(index, articles, articles.c.id == rowid).where(*scope)
        return found.order_by(rowid.desc())


# --- PostgreSQL ---------------------------------------------------------------------------


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery_leaf(leaf: Leaf) -> str:
    tokens = (leaf.char,) if isinstance(leaf, Char) else leaf.tokens
    return " & ".join(_lexeme(token) for token in dict.fromkeys(tokens))


def _tsquery_term(term: Term) -> str:
    return "(" + " & ".join(_tsquery_leaf(leaf) for leaf in term.leaves) + ")"


def _tsquery(text: str) -> ColumnElement[Any]:
    return cast(literal(text), TSQUERY)


def _is_long_phrase(leaf: Leaf) -> bool:
    return isinstance(leaf, Phrase) and len(leaf.tokens) > 1


def _contains(column: Any, tokens: tuple[str, ...]) -> ColumnElement[bool]:
    """The space-separated token string holds these tokens in a row."""
    return func.strpos(" " + column + " ", " " + " ".join(tokens) + " ") > 0


def _leaf_check(leaf: Leaf, *, title_only: bool) -> ColumnElement[bool]:
    documents = search_documents.c
    if isinstance(leaf, Char):
        columns, tokens = (documents.title_chars, documents.body_chars), (leaf.char,)
    else:
        columns, tokens = (documents.title_words, documents.body_words), leaf.tokens
    return or_(*(_contains(c, tokens) for c in columns[: 1 if title_only else 2]))


def _term_check(term: Term, *, title_only: bool) -> ColumnElement[bool]:
    return and_(*(_leaf_check(leaf, title_only=title_only) for leaf in term.leaves))


class PostgresMatcher:
    def ids(
        self, query: Query, scope: list[ColumnElement[bool]], *, title_only: bool
    ) -> Select[Any]:
        documents = search_documents.c
        vector = documents.title_document if title_only else documents.document
        positive = " & ".join(
            "(" + " | ".join(_tsquery_term(term) for term in group) + ")" for group in query.groups
        )
        conditions = [vector.bool_op("@@")(_tsquery(positive))]
        if any(_is_long_phrase(leaf) for leaf in query.leaves):
            conditions.extend(
                or_(*(_term_check(term, title_only=title_only) for term in group))
                for group in query.groups
            )
        for term in query.excluded:
            if any(_is_long_phrase(leaf) for leaf in term.leaves):
                conditions.append(not_(_term_check(term, title_only=False)))
            else:
                conditions.append(
                    not_(documents.document.bool_op("@@")(_tsquery(_tsquery_term(term))))
                )
        found = select(documents.article_id.label("id")).where(*conditions)
        if scope:
            found = found.join_from(
                search_documents, articles, articles.c.id == documents.article_id
            ).where(*scope)
        return found.order_by(documents.article_id.desc())


def matcher_for(connection: Connection) -> Matcher:
    return SqliteMatcher() if connection.dialect.name == "sqlite" else PostgresMatcher()
