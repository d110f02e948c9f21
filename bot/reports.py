"""Curators' and operators' reports from the database: what to write next, what did not help, how cases go.

Each report is a header and rows, printed as an aligned table or as CSV for spreadsheets.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from rapidfuzz import fuzz

from bot.search.normalize import key
from bot.store.db import Database

SIMILAR = 75  # rapidfuzz token_set_ratio at which two questions count as the same gap


@dataclass
class Report:
    header: list[str]
    rows: list[list]

    def as_text(self) -> str:
        cells = [self.header, *[[str(c) for c in row] for row in self.rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines) if self.rows else "\n".join([*lines[:2], "(nothing yet)"])

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue()


async def gaps(db: Database, since: date | None = None) -> Report:
    """Questions without a confident answer, grouped by similarity, most frequent first."""
    rows = await db.fetchall(
        "SELECT text, lang, best_article FROM misses WHERE day >= ? ORDER BY id", ((since or date.min).isoformat(),)
    )
    groups: list[dict] = []
    for row in rows:
        k = key(row["text"])
        for group in groups:
            if fuzz.token_set_ratio(k, group["key"]) >= SIMILAR:
                break
        else:
            group = {"key": k, "example": row["text"], "count": 0, "langs": Counter(), "near": Counter()}
            groups.append(group)
        group["count"] += 1
        group["langs"][row["lang"]] += 1
        if row["best_article"]:
            group["near"][row["best_article"]] += 1
    groups.sort(key=lambda g: -g["count"])
    return Report(
        ["count", "languages", "example question", "closest article"],
        [
            [
                g["count"],
                " ".join(f"{lang}:{n}" for lang, n in g["langs"].most_common()),
                g["example"][:120],
                g["near"].most_common(1)[0][0] if g["near"] else "-",
            ]
            for g in groups
        ],
    )


async def feedback(db: Database, since: date | None = None) -> Report:
    """Per article and language: how often people said "not helpful", worst first."""
    rows = await db.fetchall(
        "SELECT article, lang, SUM(helpful = 0) AS no, SUM(helpful = 1) AS yes FROM feedback WHERE day >= ? "
        "GROUP BY article, lang ORDER BY no DESC, yes ASC, article",
        ((since or date.min).isoformat(),),
    )
    return Report(
        ["article", "language", "not helpful", "helpful", "share not helpful"],
        [
            [r["article"], r["lang"], r["no"], r["yes"], f"{r['no'] / (r['no'] + r['yes']):.0%}"]
            for r in rows
            if r["no"]
        ],
    )


def _week(stamp: str) -> str:
    year, week, _ = datetime.fromisoformat(stamp).isocalendar()
    return f"{year}-W{week:02d}"


def _minutes(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60


async def cases(db: Database, since: date | None = None) -> Report:
    """Per week: cases opened, closed and withdrawn, median first response and duration, ratings."""
    rows = await db.fetchall(
        "SELECT status, created_at, closed_at, first_response_at, rating FROM cases WHERE created_at >= ? "
        "ORDER BY created_at",
        ((since or date.min).isoformat(),),
    )
    weeks: dict[str, list] = defaultdict(list)
    for row in rows:
        weeks[_week(row["created_at"])].append(row)
    result = []
    for week, items in sorted(weeks.items()):
        first = [_minutes(r["created_at"], r["first_response_at"]) for r in items if r["first_response_at"]]
        done = [_minutes(r["created_at"], r["closed_at"]) for r in items if r["closed_at"] and r["status"] == "closed"]
        ratings = [r["rating"] for r in items if r["rating"]]
        result.append([
            week,
            len(items),
            sum(r["status"] == "closed" for r in items),
            sum(r["status"] == "cancelled" for r in items),
            sum(r["status"] == "open" for r in items),
            f"{statistics.median(first):.0f}" if first else "-",
            f"{statistics.median(done):.0f}" if done else "-",
            f"{statistics.mean(ratings):.1f} ({len(ratings)})" if ratings else "-",
        ])
    return Report(
        ["week", "opened", "closed", "withdrawn", "still open", "median first response (min)",
         "median to close (min)", "rating"],
        result,
    )


REPORTS = {"gaps": gaps, "feedback": feedback, "cases": cases}
