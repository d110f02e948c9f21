"""Advisors' office hours (Europe/Berlin): are they in, and when are they back?

Configured as ``OFFICE_HOURS="mon-fri 09:00-16:00"`` (several ranges separated by ";", e.g.
``"mon-thu 09:00-16:00; fri 09:00-13:00"``). People see the hours in their own language via Babel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time, get_day_names

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Span:
    weekday: int  # 0 = Monday
    start: time
    end: time


class OfficeHours:
    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: (s.weekday, s.start))

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """Raises ValueError with a message that says what is wrong."""
        spans = []
        for part in spec.lower().split(";"):
            if not part.strip():
                continue
            m = _RANGE.match(part)
            if not m or m.group(1) not in DAYS or (m.group(2) and m.group(2) not in DAYS):
                raise ValueError(f"OFFICE_HOURS part {part.strip()!r} is not like 'mon-fri 09:00-16:00'")
            first = DAYS.index(m.group(1))
            last = DAYS.index(m.group(2)) if m.group(2) else first
            start = time(int(m.group(3)), int(m.group(4)))
            end = time(int(m.group(5)), int(m.group(6)))
            if end <= start or last < first:
                raise ValueError(f"OFFICE_HOURS part {part.strip()!r} ends before it starts")
            spans += [Span(day, start, end) for day in range(first, last + 1)]
        if not spans:
            raise ValueError("OFFICE_HOURS is empty")
        return cls(spans)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(BERLIN)
        return any(s.weekday == local.weekday() and s.start <= local.time() < s.end for s in self.spans)

    def next_opening(self, at: datetime) -> datetime:
        """The next moment the office opens after ``at`` (``at`` itself when it is open)."""
        local = at.astimezone(BERLIN)
        if self.is_open(local):
            return local
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for span in self.spans:
                if span.weekday == day.weekday():
                    opening = datetime.combine(day, span.start, BERLIN)
                    if opening > local:
                        return opening
        raise AssertionError("office hours without an opening in a week")

    def describe(self, lang: str) -> str:
        """The hours in the person's language, e.g. "Mo.–Fr. 09:00–16:00" or "T2–T6 09:00–16:00"."""
        names = get_day_names("abbreviated", locale=lang)
        groups: list[tuple[list[int], time, time]] = []
        for span in self.spans:
            last = groups[-1] if groups else None
            if last and last[1] == span.start and last[2] == span.end and last[0][-1] == span.weekday - 1:
                last[0].append(span.weekday)
            else:
                groups.append(([span.weekday], span.start, span.end))
        parts = []
        for days, start, end in groups:
            label = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
            hours = f"{format_time(start, 'HH:mm', locale=lang)}–{format_time(end, 'HH:mm', locale=lang)}"
            parts.append(f"{label} {hours}")
        return ", ".join(parts)

    def format_opening(self, at: datetime, lang: str) -> str:
        """When the office opens next, as the person would write it ("Montag, 09:00")."""
        opening = self.next_opening(at)
        return format_datetime(opening, "EEEE HH:mm", tzinfo=BERLIN, locale=lang)
