"""The store: the one database every stage reads and writes."""
