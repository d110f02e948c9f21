"""A consistent copy of the database while the bot keeps writing: SQLite's online backup API."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def backup(source: Path, target: Path) -> int:
    """Copy ``source`` to ``target`` (atomically, via a temporary file beside it); returns the page count.

    Raises ValueError when the copy fails SQLite's integrity check."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(partial) as dst:
        src.backup(dst, pages=1024)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError("the copy failed its integrity check")
    os.replace(partial, target)
    return pages
