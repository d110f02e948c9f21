"""Opening the database: WAL mode, foreign keys, migrations, and one transaction helper."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.store.schema import MIGRATIONS


def now() -> str:
    """UTC timestamps as ISO text: sortable, readable in a dump, and the same on every machine."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: Path | str) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One writer at a time; everything inside commits together or not at all."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            await self.conn.commit()

    async def fetchone(self, sql: str, params: tuple = ()) -> aiosqlite.Row | None:
        """For queries of one row (a key, or LIMIT 1)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        # One trip to the database thread instead of three (execute, fetch, close): it adds up per message.
        return list(await self.conn.execute_fetchall(sql, params))

    async def ping(self) -> bool:
        """The database file is still there and answers (a lost volume shows up here)."""
        if str(self.path) != ":memory:" and not Path(self.path).exists():
            return False
        try:
            await asyncio.wait_for(self.fetchone("SELECT 1"), timeout=2)
        except Exception:  # any failure means "not healthy"; the reason is not the health check's business
            return False
        return True

    async def close(self) -> None:
        await self.conn.close()


async def open_database(path: Path | str) -> Database:
    """Open (and create or migrate) the database at ``path``; ``:memory:`` works for tests."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is crash-safe for the process (kill -9 loses nothing committed); only a power
    # loss may undo the last commits. It spares an fsync per commit, which caps throughput otherwise.
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute("PRAGMA busy_timeout=5000")
    async with conn.execute("PRAGMA user_version") as cur:
        version = (await cur.fetchone())[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
    return Database(conn, path)
