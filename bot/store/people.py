"""What the bot remembers about a person: language, audience, where the conversation stands."""
from __future__ import annotations

from dataclasses import dataclass, replace

from bot.store.db import Database, now

RECENT_KEPT = 5
RECENT_DAYS = 30  # how long the last questions are kept for a case card


@dataclass(frozen=True)
class Person:
    person: str
    lang: str | None = None
    audience: str | None = None
    onboarded: bool = False
    pending: str | None = None
    blocked: bool = False
    known: bool = False  # False until first saved: the bot has never met this person

    def with_(self, **changes) -> Person:
        return replace(self, **changes)


class People:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, person: str) -> Person:
        row = await self.db.fetchone("SELECT * FROM people WHERE person = ?", (person,))
        if row is None:
            return Person(person)
        return Person(
            person=person,
            lang=row["lang"],
            audience=row["audience"],
            onboarded=bool(row["onboarded"]),
            pending=row["pending"],
            blocked=bool(row["blocked"]),
            known=True,
        )

    async def save(self, p: Person, question: tuple[str, str | None] | None = None) -> None:
        """Store the person's state; with ``question`` (text, article shown) also remember that question,
        in the same transaction. Someone who writes has not blocked the bot, so ``blocked`` is cleared."""
        stamp = now()
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO people (person, lang, audience, onboarded, pending, blocked, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                   ON CONFLICT(person) DO UPDATE SET lang = excluded.lang, audience = excluded.audience,
                     onboarded = excluded.onboarded, pending = excluded.pending, blocked = 0,
                     updated_at = excluded.updated_at""",
                (p.person, p.lang, p.audience, int(p.onboarded), p.pending, stamp, stamp),
            )
            if question is not None:
                await self._remember(conn, p.person, *question, stamp)

    @staticmethod
    async def _remember(conn, person: str, text: str, article: str | None, stamp: str) -> None:
        """Keep the last few questions so an advisor sees them on the case card without asking again."""
        await conn.execute(
            "INSERT INTO recent (person, text, article, at) VALUES (?, ?, ?, ?)", (person, text, article, stamp)
        )
        await conn.execute(
            """DELETE FROM recent WHERE person = ? AND id NOT IN
               (SELECT id FROM recent WHERE person = ? ORDER BY id DESC LIMIT ?)""",
            (person, person, RECENT_KEPT),
        )

    async def set_blocked(self, person: str, blocked: bool) -> None:
        """Telegram said the person blocked the bot (or they came back): do not retry meanwhile."""
        stamp = now()
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO people (person, blocked, created_at, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT(person) DO UPDATE SET blocked = excluded.blocked, updated_at = excluded.updated_at""",
                (person, int(blocked), stamp, stamp),
            )

    async def remember_question(self, person: str, text: str, article: str | None) -> None:
        async with self.db.transaction() as conn:
            await self._remember(conn, person, text, article, now())

    async def forget_old_questions(self, older_than: str) -> int:
        """The last questions serve an advisor's case card; after a while nobody needs them."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM recent WHERE at < ?", (older_than,))
            return cur.rowcount

    async def recent_questions(self, person: str) -> list[dict]:
        rows = await self.db.fetchall(
            "SELECT text, article, at FROM recent WHERE person = ? ORDER BY id", (person,)
        )
        return [dict(r) for r in rows]

    async def export(self, person: str) -> dict:
        row = await self.db.fetchone("SELECT * FROM people WHERE person = ?", (person,))
        return {
            "person": dict(row) if row else None,
            "recent_questions": await self.recent_questions(person),
        }

    async def delete(self, person: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM recent WHERE person = ?", (person,))
            await conn.execute("DELETE FROM people WHERE person = ?", (person,))
