"""Storage in SQLite (aiosqlite): one module per kind of record, one schema with migrations."""
from bot.store.db import Database, open_database

__all__ = ["Database", "open_database"]
