"""A PostgreSQL schema of one's own: the URL's search_path keeps every table in it."""

from __future__ import annotations

from pathlib import Path

import psycopg
from click.testing import CliRunner

from incoming.cli import cli
from tests.support.databases import POSTGRES_URL, postgres_schema_url


def test_a_store_lives_in_the_schema_its_url_names(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# 注意力\n\n缩放点积注意力。\n", encoding="utf-8")
    with postgres_schema_url() as url:
        schema = url.rsplit("%3D", 1)[1]
        result = CliRunner().invoke(cli, ["--database", url, "add", str(notes)])
        assert result.exit_code == 0, result.output
        listed = CliRunner().invoke(cli, ["--database", url, "articles", "--json"])
        assert "注意力" in listed.output
        with psycopg.connect(POSTGRES_URL) as connection:
            tables = {
                row[0]
                for row in connection.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (schema,),
                )
            }
    assert {"sources", "articles", "search_documents", "alembic_version"} <= tables
