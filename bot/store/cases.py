"""Escalation cases, their messages, and the record of every relay (both directions).

A message to relay is written down first (``relayed = 0``) and marked relayed with the Telegram ids it got;
after a crash everything still unmarked is sent, and a message that arrives twice (Telegram repeats updates
that were not confirmed) is recognised by its source and stored once.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.store.db import Database, now

OPEN, CLOSED, CANCELLED = "open", "closed", "cancelled"
IN, OUT, NOTE = "in", "out", "note"


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
    thread_id: int | None = None
    claimed_by: str | None = None
    first_response_at: str | None = None
    reminded_at: str | None = None
    rating: int | None = None
    card_message_id: int | None = None


@dataclass(frozen=True)
class Relay:
    """A message of a case that still has to reach the other side."""

    id: int
    case_id: int
    direction: str
    kind: str
    text: str | None
    source_ref: str | None
    reply_to_ref: str | None


def _case(row) -> Case:
    return Case(**{name: row[name] for name in Case.__dataclass_fields__})


class Cases:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def open(
        self,
        person: str,
        lang: str,
        audience: str | None,
        topic: str | None,
        first_name: str | None,
        question: str,
        source_ref: str | None = None,
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
                """INSERT INTO case_messages (case_id, direction, kind, text, at, source_ref, relayed)
                   VALUES (?, 'in', 'text', ?, ?, ?, 0)""",
                (case_id, question, stamp, source_ref),
            )
        return await self.get(case_id)

    async def get(self, case_id: int) -> Case | None:
        row = await self.db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    async def by_thread(self, thread_id: int) -> Case | None:
        row = await self.db.fetchone("SELECT * FROM cases WHERE thread_id = ? ORDER BY id DESC LIMIT 1",
                                     (thread_id,))
        return _case(row) if row else None

    async def open_for(self, person: str) -> Case | None:
        row = await self.db.fetchone(
            "SELECT * FROM cases WHERE person = ? AND status = ? ORDER BY id DESC LIMIT 1", (person, OPEN)
        )
        return _case(row) if row else None

    async def add_message(
        self,
        case_id: int,
        direction: str,
        text: str | None,
        kind: str = "text",
        source_ref: str | None = None,
        reply_to_ref: str | None = None,
        relayed: bool | None = None,
    ) -> int | None:
        """Record a message of the case; None when this source message was recorded before (a repeat)."""
        pending = (direction != NOTE) if relayed is None else not relayed
        try:
            async with self.db.transaction() as conn:
                cur = await conn.execute(
                    """INSERT INTO case_messages (case_id, direction, kind, text, at, source_ref, reply_to_ref,
                       relayed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    (case_id, direction, kind, text, now(), source_ref, reply_to_ref, int(not pending)),
                )
                if direction == OUT:
                    await conn.execute(
                        "UPDATE cases SET first_response_at = COALESCE(first_response_at, ?) WHERE id = ?",
                        (now(), case_id),
                    )
                return cur.lastrowid
        except sqlite3.IntegrityError:
            return None

    async def pending(self, case_id: int | None = None) -> list[Relay]:
        """Messages not yet relayed, oldest first (of one case, or of all cases after a restart)."""
        sql = "SELECT * FROM case_messages WHERE relayed = 0"
        params: tuple = ()
        if case_id is not None:
            sql += " AND case_id = ?"
            params = (case_id,)
        rows = await self.db.fetchall(sql + " ORDER BY id", params)
        return [
            Relay(r["id"], r["case_id"], r["direction"], r["kind"], r["text"], r["source_ref"], r["reply_to_ref"])
            for r in rows
        ]

    async def mark_relayed(self, message_id: int, dest_ref: str | None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE case_messages SET relayed = 1, dest_ref = ? WHERE id = ?",
                               (dest_ref, message_id))

    async def counterpart(self, ref: str) -> str | None:
        """The other side of a relayed message: where a reply to ``ref`` should point."""
        row = await self.db.fetchone(
            "SELECT source_ref, dest_ref FROM case_messages WHERE dest_ref = ? OR source_ref = ? LIMIT 1",
            (ref, ref),
        )
        if row is None:
            return None
        return row["source_ref"] if row["dest_ref"] == ref else row["dest_ref"]

    async def set_thread(self, case_id: int, thread_id: int | None, card_message_id: int | None = None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE cases SET thread_id = ?, card_message_id = ? WHERE id = ?",
                               (thread_id, card_message_id, case_id))

    async def claim(self, case_id: int, advisor: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE cases SET claimed_by = ? WHERE id = ?", (advisor, case_id))

    async def set_status(self, case_id: int, status: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE cases SET status = ?, closed_at = ? WHERE id = ?",
                (status, None if status == OPEN else now(), case_id),
            )

    async def rate(self, case_id: int, rating: int | None = None, comment: str | None = None) -> None:
        async with self.db.transaction() as conn:
            if rating is not None:
                await conn.execute("UPDATE cases SET rating = ? WHERE id = ?", (rating, case_id))
            if comment is not None:
                await conn.execute("UPDATE cases SET comment = ? WHERE id = ?", (comment[:1000], case_id))

    async def remind(self, case_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE cases SET reminded_at = ? WHERE id = ?", (now(), case_id))

    async def open_cases(self) -> list[Case]:
        rows = await self.db.fetchall("SELECT * FROM cases WHERE status = ? ORDER BY created_at, id", (OPEN,))
        return [_case(r) for r in rows]

    async def all_cases(self) -> list[Case]:
        return [_case(r) for r in await self.db.fetchall("SELECT * FROM cases ORDER BY id")]

    async def export(self, person: str) -> list[dict]:
        cases = await self.db.fetchall("SELECT * FROM cases WHERE person = ? ORDER BY id", (person,))
        result = []
        for row in cases:
            messages = await self.db.fetchall(
                "SELECT direction, kind, text, at FROM case_messages WHERE case_id = ? AND direction != 'note' "
                "ORDER BY id",
                (row["id"],),
            )
            case = {k: v for k, v in dict(row).items() if k not in ("thread_id", "reminded_at", "card_message_id")}
            result.append({**case, "messages": [dict(m) for m in messages]})
        return result

    async def delete_person(self, person: str) -> list[Case]:
        """Erase every case of a person; returns them so that their topics can be told."""
        rows = await self.db.fetchall("SELECT * FROM cases WHERE person = ?", (person,))
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM cases WHERE person = ?", (person,))
        return [_case(r) for r in rows]

    async def purge_closed(self, older_than: str) -> int:
        """Delete closed and withdrawn cases whose end lies before ``older_than`` (retention)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM cases WHERE status != ? AND closed_at IS NOT NULL AND closed_at < ?",
                (OPEN, older_than),
            )
            return cur.rowcount
