"""The store: the one database every stage reads and writes."""

# Here, not in engine.py: the command line shows it in --help without importing SQLAlchemy.
DEFAULT_DATABASE_URL = "sqlite:///incoming.db"
