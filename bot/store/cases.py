"""Escalation cases and their messages."""
from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Database, now

OPEN, CLOSED, CANCELLED = "open", "closed", "cancelled"


@dataclass(frozen=True)
class Case:
    id: int
    person: str
    lang: str
    audience: str | None
    topic: str | None
    first_name: str | None
    status: str
    created_at: str
    closed_at: str | None


def _case(row) -> Case:
    return Case(
        id=row["id"],
        person=row["person"],
        lang=row["lang"],
        audience=row["audience"],
        topic=row["topic"],
        first_name=row["first_name"],
        status=row["status"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
    )


class Cases:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def open(
        self, person: str, lang: str, audience: str | None, topic: str | None, first_name: str | None, question: str
    ) -> Case:
        """Open a case with the person's first message; consent was given just before."""
        stamp = now()
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO cases (person, lang, audience, topic, first_name, consent_at, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (person, lang, audience, topic, first_name, stamp, stamp),
            )
            case_id = cur.lastrowid
            await conn.execute(
                "INSERT INTO case_messages (case_id, direction, kind, text, at) VALUES (?, 'in', 'text', ?, ?)",
                (case_id, question, stamp),
            )
        return await self.get(case_id)

    async def get(self, case_id: int) -> Case | None:
        row = await self.db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    async def open_for(self, person: str) -> Case | None:
        row = await self.db.fetchone(
            "SELECT * FROM cases WHERE person = ? AND status = ? ORDER BY id DESC LIMIT 1", (person, OPEN)
        )
        return _case(row) if row else None

    async def add_message(self, case_id: int, direction: str, text: str | None, kind: str = "text") -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO case_messages (case_id, direction, kind, text, at) VALUES (?, ?, ?, ?, ?)",
                (case_id, direction, kind, text, now()),
            )

    async def set_status(self, case_id: int, status: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE cases SET status = ?, closed_at = ? WHERE id = ?",
                (status, None if status == OPEN else now(), case_id),
            )

    async def export(self, person: str) -> list[dict]:
        cases = await self.db.fetchall("SELECT * FROM cases WHERE person = ? ORDER BY id", (person,))
        result = []
        for row in cases:
            messages = await self.db.fetchall(
                "SELECT direction, kind, text, at FROM case_messages WHERE case_id = ? AND direction != 'note' "
                "ORDER BY id",
                (row["id"],),
            )
            result.append({**dict(row), "messages": [dict(m) for m in messages]})
        return result

    async def delete_person(self, person: str) -> list[int]:
        """Erase every case of a person; returns the ids so that advisors can be told."""
        rows = await self.db.fetchall("SELECT id FROM cases WHERE person = ?", (person,))
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM cases WHERE person = ?", (person,))
        return [r["id"] for r in rows]
