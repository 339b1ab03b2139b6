"""Which articles match a parsed query, newest first: FTS5 on SQLite, tsvectors on PostgreSQL.

Both are built from our tokens only, never from the user's text as syntax: every token is
quoted, and the operators come from the parsed structure. Both find the same articles:

- a phrase (the tokens of a word, CJK string or quoted phrase) matches when its tokens follow
  one another in the title or in the text: an FTS5 phrase in the word columns, which the
  phrase's pairs (see `tokens`) narrow down first; on PostgreSQL, its pairs and the tokens no
  pair holds in the tsvector (GIN), then, unless that already says it (one token, or two in
  a pair), the phrase, spaces around it, in the token string;
- a character matches when it is in the title's or the text's chars stream.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    and_,
    any_,
    cast,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from incoming.index.query import Char, Leaf, Query, Term
from incoming.index.schema import (
    DOCUMENT_SQL,
    FTS_TABLE,
    TITLE_DOCUMENT_SQL,
    TITLES_FTS_TABLE,
    search_documents,
)
from incoming.index.tokens import JOINER, pair_tokens
from incoming.index.windows import SMALLEST, aligned, window_lexemes
from incoming.store.schema import articles


class Matcher(Protocol):
    top: int | None  # the newest article's id, read once per search

    def newest(
        self,
        query: Query,
        scope: list[ColumnElement[bool]],
        *,
        title_only: bool,
        limit: int,
        before: int | None = None,
    ) -> list[int]:
        """Up to `limit` ids of matching articles (in `scope`: conditions on `articles`),
        newest first, all below `before` if given."""
        ...


def leaf_query(leaf: Leaf) -> Query:
    """The query looking for one leaf alone."""
    return Query(groups=(((Term((leaf,), ())),),))


# --- SQLite -------------------------------------------------------------------------------

_fts = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
_titles_fts = table(TITLES_FTS_TABLE, column("rowid"), column(TITLES_FTS_TABLE))


def _fts_string(tokens: Sequence[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _fts_leaf(leaf: Leaf, *, title_only: bool) -> str:
    if isinstance(leaf, Char):
        columns = "{title_chars}" if title_only else "{title_chars body_chars}"
        return f"{columns} : {_fts_string((leaf.char,))}"
    columns = "{title_words}" if title_only else "{title_words body_words}"
    phrase = f"{columns} : {_fts_string(leaf.tokens)}"
    if title_only:
        return phrase
    return " AND ".join(
        [*(f"pairs : {_fts_string((p,))}" for p in pair_tokens(leaf.tokens)), phrase]
    )


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
    """FTS5 reads its lists newest first and stops at the limit: one statement."""

    def __init__(self, connection: Connection, top: int | None) -> None:
        self.connection = connection
        self.top = top

    def newest(
        self,
        query: Query,
        scope: list[ColumnElement[bool]],
        *,
        title_only: bool,
        limit: int,
        before: int | None = None,
    ) -> list[int]:
        index = _titles_fts if title_only else _fts
        rowid = index.c.rowid
        found = select(rowid).where(_match(index, fts_match(query, title_only=title_only)))
        if before is not None:
            found = found.where(rowid < before)
        if title_only and query.excluded:  # the text is in the other index
            excluded = _fts_any(query.excluded, title_only=False)
            found = found.where(rowid.not_in(select(_fts.c.rowid).where(_match(_fts, excluded))))
        if scope:
            found = found.join_from(index, articles, articles.c.id == rowid).where(*scope)
        return list(self.connection.execute(found.order_by(rowid.desc()).limit(limit)).scalars())


# --- PostgreSQL ---------------------------------------------------------------------------

# The newest window holds this many times the ids asked for, and later ones are sized to find
# what is still missing this many times over, at the rate of matches seen so far, but grow at
# most MAX_WINDOW_GROWTH times (a rate seen in a few matches is a poor guess).
WINDOW_MARGIN = 4
MAX_WINDOW_GROWTH = 8
# A window made of more blocks than this reaches back to the first article instead.
MAX_WINDOW_BLOCKS = 32
# Candidates checked (for phrases and filters) per statement, at least.
CHECK_CHUNK = 100


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _is_exact(leaf: Leaf, *, title_only: bool) -> bool:
    """Whether the tsquery of a leaf alone decides it (no phrase to check in the text)."""
    if isinstance(leaf, Char) or len(leaf.tokens) == 1:
        return True
    return not title_only and len(leaf.tokens) == 2 and bool(pair_tokens(leaf.tokens))


def _leaf_lexemes(leaf: Leaf, *, title_only: bool) -> list[str]:
    """What the tsvector must hold: the pairs, and the tokens that no pair holds."""
    if isinstance(leaf, Char):
        return [leaf.char]
    if title_only:
        return list(dict.fromkeys(leaf.tokens))
    pairs = pair_tokens(leaf.tokens)
    paired = {token for pair in pairs for token in pair.split(JOINER)}
    return list(dict.fromkeys([*pairs, *(t for t in leaf.tokens if t not in paired)]))


def _tsquery_term(term: Term, *, title_only: bool) -> str:
    lexemes = (
        lexeme for leaf in term.leaves for lexeme in _leaf_lexemes(leaf, title_only=title_only)
    )
    return "(" + " & ".join(_lexeme(lexeme) for lexeme in dict.fromkeys(lexemes)) + ")"


def _needs_check(term: Term, *, title_only: bool) -> bool:
    return not all(_is_exact(leaf, title_only=title_only) for leaf in term.leaves)


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
    """The tsquery finds candidates through GIN, one id window at a time (see `windows`);
    phrases and filters are then checked on the newest candidates only."""

    def __init__(self, connection: Connection, top: int | None) -> None:
        self.connection = connection
        self.top = top  # the newest article's id

    def newest(
        self,
        query: Query,
        scope: list[ColumnElement[bool]],
        *,
        title_only: bool,
        limit: int,
        before: int | None = None,
    ) -> list[int]:
        if self.top is None or limit <= 0:
            return []
        below = self.top + 1 if before is None else min(before, self.top + 1)
        return self._windowed(query, scope, title_only, limit, below)

    def _windowed(
        self,
        query: Query,
        scope: list[ColumnElement[bool]],
        title_only: bool,
        limit: int,
        below: int,
    ) -> list[int]:
        """The newest window of ids below `below` first, then older and wider ones, until
        enough."""
        documents = search_documents.c
        vector = literal_column(f"({TITLE_DOCUMENT_SQL if title_only else DOCUMENT_SQL})")
        matching = self._tsquery(query, title_only=title_only)
        checks = self._checks(query, title_only=title_only)
        found: list[int] = []
        high = aligned(below - 1)
        size = _rounded(WINDOW_MARGIN * limit)
        while high > 0 and len(found) < limit:
            low = max(0, high - size)
            blocks = window_lexemes(low, high)
            if len(blocks) > MAX_WINDOW_BLOCKS:
                low, blocks = 0, []
            window = " | ".join(_lexeme(block) for block in blocks)
            text = f"{matching} & ({window})" if blocks else matching
            candidates = sorted(
                (
                    article_id
                    for article_id in self.connection.execute(
                        select(documents.article_id).where(
                            vector.bool_op("@@")(cast(literal(text), TSQUERY))
                        )
                    ).scalars()
                    if article_id < below
                ),
                reverse=True,
            )
            accepted = self._checked(candidates, checks, scope, limit - len(found))
            found.extend(accepted)
            missing = limit - len(found)
            grown = size * MAX_WINDOW_GROWTH
            rate = len(accepted) / (high - low)
            size = min(grown, _rounded(WINDOW_MARGIN * missing / rate)) if rate else grown
            high = low
        return found[:limit]

    @staticmethod
    def _tsquery(query: Query, *, title_only: bool) -> str:
        text = " & ".join(
            "(" + " | ".join(_tsquery_term(term, title_only=title_only) for term in group) + ")"
            for group in query.groups
        )
        if not title_only:  # the titles' tsvector cannot tell: see _checks
            for term in query.excluded:
                if not _needs_check(term, title_only=False):
                    text += f" & !{_tsquery_term(term, title_only=False)}"
        return text

    @staticmethod
    def _checks(query: Query, *, title_only: bool) -> list[ColumnElement[bool]]:
        checks = [
            or_(*(_term_check(term, title_only=title_only) for term in group))
            for group in query.groups
            if any(_needs_check(term, title_only=title_only) for term in group)
        ]
        checks.extend(
            not_(_term_check(term, title_only=False))
            for term in query.excluded
            if title_only or _needs_check(term, title_only=False)
        )
        return checks

    def _checked(
        self,
        candidates: list[int],
        checks: list[ColumnElement[bool]],
        scope: list[ColumnElement[bool]],
        wanted: int,
    ) -> list[int]:
        """The newest `wanted` candidates (or more) that pass the checks and the scope."""
        if not checks and not scope:
            return candidates
        documents = search_documents.c
        accepted: list[int] = []
        start = 0
        while start < len(candidates) and len(accepted) < wanted:
            chunk = candidates[start : start + max(CHECK_CHUNK, 2 * (wanted - len(accepted)))]
            start += len(chunk)
            statement = select(documents.article_id).where(
                documents.article_id == any_(literal(chunk, ARRAY(BigInteger))), *checks
            )
            if scope:
                statement = statement.join_from(
                    search_documents, articles, articles.c.id == documents.article_id
                ).where(*scope)
            accepted.extend(sorted(self.connection.execute(statement).scalars(), reverse=True))
        return accepted


def _rounded(ids: float) -> int:
    """A window size: a whole number of the smallest blocks."""
    return max(1, math.ceil(ids / SMALLEST)) * SMALLEST


@contextmanager
def matcher_for(connection: Connection) -> Iterator[Matcher]:
    """The matcher for this connection's database, for the queries of one search."""
    top_id = select(func.max(search_documents.c.article_id))
    if connection.dialect.name == "sqlite":
        yield SqliteMatcher(connection, connection.execute(top_id).scalar())
        return
    top, scans, jit = connection.execute(
        top_id.add_columns(func.current_setting("enable_seqscan"), func.current_setting("jit"))
    ).one()
    # Narrow rows make a sequential scan look cheap to the planner, which does not count
    # reading every row's tsvector back from TOAST: that takes seconds. GIN it is. And no JIT:
    # compiling costs tens of milliseconds, more than any of these statements.
    # Local to the transaction: a failed search leaves it to the rollback, for a statement in an
    # aborted transaction would only fail again and hide the first error.
    _set_planner(connection, "off", "off")
    yield PostgresMatcher(connection, top)
    _set_planner(connection, scans, jit)


def _set_planner(connection: Connection, scans: str, jit: str) -> None:
    connection.execute(
        select(func.set_config("enable_seqscan", scans, True), func.set_config("jit", jit, True))
    )
