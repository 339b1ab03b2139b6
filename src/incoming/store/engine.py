"""Opening the database: one URL, SQLite tuned for concurrent use, migrations applied on open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from incoming.errors import ConfigError, StoreUnavailableError
from incoming.store import changes

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant works: it names the lock that serializes migrations across processes.
MIGRATION_LOCK_ID = 0x1C0_311C


def normalize_url(raw: str) -> URL:
    """Parse a database URL, choosing psycopg 3 for PostgreSQL; ConfigError names what is wrong."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError(
            f"bad database URL {raw!r}: expected e.g. sqlite:///incoming.db "
            "or postgresql://user@host/dbname"
        ) from exc
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigError(
            f"unsupported database {url.drivername!r} in {url.render_as_string()!r}: "
            "use sqlite:///FILE or postgresql://..."
        )
    return url


def is_memory_sqlite(url: URL) -> bool:
    """An in-memory SQLite database: one per connection pool, so never shared by processes."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def check_target(raw_url: str, *, creates: bool) -> None:
    """Refuse what a mistyped URL would silently do: read an empty store made of a path that
    does not exist (a command that does not create one), or write into memory, lost when the
    command ends. ConfigError names the file and the commands that do create a store."""
    url = normalize_url(raw_url)
    if url.get_backend_name() != "sqlite":
        return
    if is_memory_sqlite(url):
        raise ConfigError(
            f"{raw_url!r} is an in-memory database, gone when the command ends: use sqlite:///FILE"
        )
    if not creates and url.database and not Path(url.database).exists():
        raise ConfigError(
            f"no database at {url.database}: `incoming add`, `import-opml`, `migrate` or "
            "`serve` creates one; or name another with --database"
        )


def _tune_sqlite(engine: Engine) -> None:
    """WAL (readers beside a writer), FKs on, BEGIN IMMEDIATE for writes (no lock upgrades)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun explicitly below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get("incoming_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


@dataclass(frozen=True, slots=True)
class Store:
    """The database: short read transactions, and write transactions that never deadlock."""

    engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; if it changed what the site shows, the change counter is bumped
        last, just before it commits (see store/changes.py)."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(incoming_write=True)
            connection.info[changes.PENDING] = False
            try:
                with connection.begin():
                    yield connection
                    if connection.info.get(changes.PENDING):
                        changes.bump(connection)
            finally:
                connection.info.pop(changes.PENDING, None)

    def close(self) -> None:
        self.engine.dispose()


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("incoming.store") / "migrations"))
    return config


def newest_revision() -> str:
    """The head revision, from the migration files' names ("0010_source_content_format.py"):
    telling a current store needs no Alembic, which takes longer to import than a command
    takes to run (tests/store/test_engine_start.py checks this is Alembic's own head)."""
    versions = files("incoming.store") / "migrations" / "versions"
    return max(item.name[:4] for item in versions.iterdir() if item.name[:4].isdigit())


def stored_revision(connection: Connection) -> str | None:
    """The revision the database is at (None before the first migration), read as Alembic
    reads it: from its version table in the default schema."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(store: Store) -> str | None:
    """Bring the schema to the newest revision; returns the revision applied, None if current.
    Alembic is imported only when the store is behind."""
    with store.read() as connection:
        if stored_revision(connection) == newest_revision():
            return None
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with migrating(store) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        if MigrationContext.configure(connection).get_current_revision() == head:
            return None
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head


@contextmanager
def migrating(store: Store) -> Iterator[Connection]:
    """The write transaction migrations run in. On SQLite, foreign keys are off in it, as
    rebuilding a table needs (dropping the old copy would otherwise delete the rows that refer
    to it); every reference is checked before it commits, and they are on again after."""
    if not store.is_sqlite:
        with store.write() as connection:
            yield connection
        return
    with store.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")  # outside any transaction, as it must be
        try:
            with connection.execution_options(incoming_write=True).begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(f"a migration left a broken reference: {tuple(broken)}")
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def unavailable_reason(exc: DBAPIError) -> str:
    """The driver's first line (say, "connection refused"), without SQL or a traceback; for
    SQLite's write lock held past the busy timeout, how long it waited."""
    if is_busy(exc):
        return (
            f"the database is busy: another writer held it for {SQLITE_BUSY_TIMEOUT_MS / 1000:g} s;"
            " try again"
        )
    lines = str(exc.orig if exc.orig else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def is_busy(exc: DBAPIError) -> bool:
    """SQLite's write lock stayed held by another connection for all of the busy timeout."""
    return str(exc.orig).startswith("database is locked")


def open_store(raw_url: str, *, apply_migrations: bool = True) -> Store:
    """Connect (and by default migrate); an unreachable database is a StoreUnavailableError."""
    url = normalize_url(raw_url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.drivername.startswith("postgresql"):
        options.update(pool_size=10, max_overflow=10)
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    store = Store(engine)
    try:
        if apply_migrations:
            migrate(store)
        else:
            with store.read() as connection:
                connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        raise StoreUnavailableError(
            f"cannot open database {url.render_as_string(hide_password=True)}: "
            f"{unavailable_reason(exc)}"
        ) from exc
    return store
