"""Sources: adding them and bringing what they hold into the store (fetch, parse, clean, save)."""
