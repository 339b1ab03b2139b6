"""read_notes / read_note: identity, front matter, titles, dates, encodings and errors."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incoming.errors import ParseError, SourceError
from incoming.parse import Note, read_note, read_notes

MTIME = datetime(2023, 6, 7, 8, 9, 10, tzinfo=UTC).timestamp()


@pytest.fixture
def notes(data, tmp_path) -> dict[str, Note]:
    """The fixture notes, copied so their mtime is known, plus a GBK-encoded one."""
    folder = tmp_path / "notes"
    shutil.copytree(data / "notes", folder)
    # Written here, not kept as a file: tools reading the repository expect UTF-8 Markdown.
    gbk_note = "---\ntitle: 中文笔记\ntags: 数学, 统计\n---\n正文含公式 $\\alpha$。\n"
    (folder / "gbk_note.md").write_bytes(gbk_note.encode("gb18030"))
    for path in folder.rglob("*"):
        os.utime(path, (MTIME, MTIME))
    return {note.path: note for note in read_notes(folder)}


def test_every_markdown_file_below_the_folder_sorted_hidden_skipped(notes):
    assert list(notes) == [
        "bom_note.md",
        "front_matter.md",
        "gbk_note.md",
        "math.md",
        "sub/heading_title.md",
        "sub/plain.md",
    ]
    assert all(note.entry.guid == f"note:{path}" for path, note in notes.items())
    assert all(note.mtime == MTIME for note in notes.values())


def test_front_matter_fields(notes):
    entry = notes["front_matter.md"].entry
    assert entry.title == "Front matter title"
    assert entry.published == datetime(2024, 1, 1, 19, 4, 5, tzinfo=UTC)
    assert entry.updated == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)  # naive is UTC
    assert entry.author == "Grace Hopper"
    assert entry.language == "en"
    assert entry.categories == ("attention", "transformers")
    # With a front-matter title the first heading stays in the body.
    assert "<h1>A heading that stays</h1>" in entry.content_html
    assert entry.url is None


def test_front_matter_date_and_tag_list(notes):
    entry = notes["math.md"].entry
    assert entry.title == "Every math form"
    assert entry.published == datetime(2024, 3, 1, tzinfo=UTC)
    assert entry.updated is None
    assert entry.categories == ("math", "tex")


def test_every_math_form_in_a_note_becomes_delimited_tex(notes):
    html = notes["math.md"].entry.content_html
    for tex in (
        "\\(\\alpha_i &lt; \\beta\\)",
        "\\(e^{i\\pi} + 1 = 0\\)",
        "\\[\\sum_i x_i\\]",
        "\\(-\\)2 points",
        "\\[\\mathcal{L}(\\theta) = -\\sum_{t} \\log p(x_t \\mid x_{&lt;t})\\]",
        "\\[\\nabla_\\theta J = \\mathbb{E}[\\,\\cdot\\,] &amp; x\\]",
        "\\[\\begin{equation}\na^2 + b^2 = c^2\n\\end{equation}\\]",
        "<td>\\(\\frac{1}{n}\\sum (y - \\hat y)^2\\)</td>",
    ):
        assert tex in html
    assert "it costs $5 and $6, or $5,$6 for two." in html
    assert "An escaped $ stays a dollar; <code>$not math$</code>" in html
    assert '<code class="language-python">loss = &quot;$x$&quot;' in html
    assert "<pre><code>indented $code$ block" in html
    assert "<s>struck</s> and <kbd>raw html</kbd>" in html


def test_first_h1_becomes_the_title_and_leaves_the_body(notes):
    entry = notes["sub/heading_title.md"].entry
    assert entry.title == "Title from the heading"
    assert "Title" not in entry.content_html
    assert "<h1>Second h1 stays</h1>" in entry.content_html
    assert entry.published == datetime.fromtimestamp(MTIME, UTC)


def test_file_name_is_the_last_title_fallback(notes):
    assert notes["sub/plain.md"].entry.title == "plain"


def test_gbk_and_bom_notes_decode(notes):
    gbk = notes["gbk_note.md"].entry
    assert gbk.title == "中文笔记"
    assert gbk.categories == ("数学", "统计")
    assert "正文含公式 \\(\\alpha\\)。" in gbk.content_html
    assert notes["bom_note.md"].entry.title == "带 BOM 的笔记"


def test_read_note_takes_a_path_relative_to_the_folder_or_absolute(data):
    folder = data / "notes"
    relative = read_note(folder, Path("sub/plain.md"))
    absolute = read_note(folder, folder / "sub" / "plain.md")
    assert relative.path == absolute.path == "sub/plain.md"


def test_bad_yaml_names_file_and_line(data):
    with pytest.raises(ParseError, match=r"broken\.md.*line 4"):
        read_notes(data / "bad_notes")


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("- a list\n- not a mapping", "mapping"),
        ("date: last tuesday", "'date' is not a date"),
        ("updated: 12", "'updated' is not a date"),
    ],
)
def test_unusable_front_matter_is_a_parse_error(tmp_path, front_matter, message):
    (tmp_path / "n.md").write_text(f"---\n{front_matter}\n---\nbody\n")
    with pytest.raises(ParseError, match=message):
        read_note(tmp_path, Path("n.md"))


def test_missing_folder_and_file_instead_of_folder_are_source_errors(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        read_notes(tmp_path / "missing")
    (tmp_path / "file.md").write_text("x")
    with pytest.raises(SourceError, match="is not a folder"):
        read_notes(tmp_path / "file.md")
    with pytest.raises(SourceError, match=r"gone\.md"):
        read_note(tmp_path, Path("gone.md"))
