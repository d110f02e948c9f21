"""What curators learn from: unanswered questions and "was this helpful?" votes, kept anonymous."""
from __future__ import annotations

import re
from datetime import date

from bot.store.db import Database

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()/.-]{5,}\d")
_URL = re.compile(r"https?://\S+|www\.\S+")
_LONG_NUMBER = re.compile(r"\b[A-Z0-9]*\d[A-Z0-9]{6,}\b")
MAX_STORED = 500


def redact(text: str) -> str:
    """Strip what identifies a person (e-mail, phone, passport or file numbers, links) from a question."""
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[link]", text)
    text = _PHONE.sub("[number]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    return text[:MAX_STORED]


class Insights:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record_miss(self, text: str, lang: str, action: str, best: str | None, score: float | None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO misses (text, lang, action, best_article, score, day) VALUES (?, ?, ?, ?, ?, ?)",
                (redact(text), lang, action, best, score, date.today().isoformat()),
            )

    async def record_feedback(self, article: str, lang: str, helpful: bool) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO feedback (article, lang, helpful, day) VALUES (?, ?, ?, ?)",
                (article, lang, int(helpful), date.today().isoformat()),
            )

    async def misses(self, since: date | None = None) -> list[dict]:
        rows = await self.db.fetchall(
            "SELECT text, lang, action, best_article, score, day FROM misses WHERE day >= ? ORDER BY id",
            ((since or date.min).isoformat(),),
        )
        return [dict(r) for r in rows]
