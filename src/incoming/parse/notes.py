"""A folder of Markdown notes read as entries: front matter, title, dates, rendered HTML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from markdown_it.token import Token

from incoming.errors import ParseError, SourceError
from incoming.models import ParsedEntry
from incoming.parse.encoding import decode_document
from incoming.parse.markdown import markdown_parser
from incoming.parse.text import collapse_whitespace, optional_text, sane_datetime

NOTE_SUFFIX = ".md"
_TEXT_CHILDREN = frozenset({"text", "code_inline", "html_inline"})
_BREAK_CHILDREN = frozenset({"softbreak", "hardbreak"})


@dataclass(frozen=True, slots=True)
class Note:
    """One note; `path` (POSIX, relative to the folder) is its stable identity."""

    path: str
    entry: ParsedEntry
    mtime: float


def read_notes(folder: Path) -> list[Note]:
    """Every `*.md` below `folder` (hidden files and folders skipped), sorted by path."""
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise SourceError(f"notes folder {folder} {problem}")
    relative_paths = (
        path.relative_to(folder) for path in folder.rglob(f"*{NOTE_SUFFIX}") if path.is_file()
    )
    notes = (path for path in relative_paths if not _is_hidden(path))
    return [read_note(folder, path) for path in sorted(notes, key=Path.as_posix)]


def read_note(folder: Path, path: Path) -> Note:
    """Read one note; `path` is absolute or relative to `folder`."""
    path = path if path.is_absolute() else folder / path
    relative = path.relative_to(folder).as_posix()
    try:
        body = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as error:
        raise SourceError(f"cannot read note {path}: {error.strerror or error}") from error
    md = markdown_parser()
    tokens = md.parse(decode_document(body, None))
    front_matter = _front_matter(tokens, path)
    title = optional_text(front_matter.get("title")) or _pop_first_h1(tokens) or path.stem
    published = _date(front_matter, "date", path) or datetime.fromtimestamp(mtime, UTC)
    entry = ParsedEntry(
        guid=f"note:{relative}",
        url=None,
        title=collapse_whitespace(title),
        content_html=md.renderer.render(tokens, md.options, {}),
        author=collapse_whitespace(optional_text(front_matter.get("author")) or "") or None,
        language=optional_text(front_matter.get("lang") or front_matter.get("language")),
        published=sane_datetime(published),
        updated=_date(front_matter, "updated", path),
        categories=_tags(front_matter.get("tags")),
    )
    return Note(path=relative, entry=entry, mtime=mtime)


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _front_matter(tokens: Sequence[Token], path: Path) -> Mapping[str, Any]:
    """The YAML mapping at the top of a note ({} when absent); errors name file and line."""
    if not tokens or tokens[0].type != "front_matter":
        return {}
    try:
        data = yaml.safe_load(tokens[0].content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # The YAML starts on the line after the opening `---` (file line 2).
        where = f" line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or error
        raise ParseError(f"{path}:{where}: bad front matter: {problem}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParseError(f"{path}: front matter must be a mapping of keys to values")
    return data


def _pop_first_h1(tokens: list[Token]) -> str | None:
    """The first `#` heading as plain text, removed from the tokens so it is not repeated."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            inline = tokens[index + 1]
            del tokens[index : index + 3]
            return _plain_inline(inline) or None
    return None


def _plain_inline(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in _TEXT_CHILDREN:
            parts.append(child.content)
        elif child.type in _BREAK_CHILDREN:
            parts.append(" ")
        elif child.type.startswith("math"):
            parts.append(f"${child.content}$")
    return collapse_whitespace("".join(parts))


def _date(front_matter: Mapping[str, Any], key: str, path: Path) -> datetime | None:
    """A front-matter date or datetime (naive means UTC); a string must be ISO 8601."""
    value = front_matter.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise ParseError(f"{path}: front matter {key!r} is not a date: {front_matter[key]!r}")
    return sane_datetime(value)


def _tags(value: object) -> tuple[str, ...]:
    """Tags as a YAML list or a comma-separated string."""
    if isinstance(value, str):
        items: list[object] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        return ()
    names = (str(item).strip() for item in items if item is not None)
    return tuple(dict.fromkeys(name for name in names if name))
