"""A per-person flood limit: after too many messages in a window, one polite notice, then silence."""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

ALLOW, NOTICE, DROP = "allow", "notice", "drop"


class FloodGuard:
    def __init__(self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._noticed: set[str] = set()

    def check(self, person: str) -> str:
        now = self.clock()
        stamps = self._seen.setdefault(person, deque())
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        if len(stamps) < self.limit:
            stamps.append(now)
            self._noticed.discard(person)
            return ALLOW
        if person in self._noticed:
            return DROP
        self._noticed.add(person)
        return NOTICE

    def forget_idle(self) -> None:
        """Drop people whose window has passed, so memory stays bounded."""
        now = self.clock()
        for person in [p for p, s in self._seen.items() if not s or now - s[-1] > self.window]:
            del self._seen[person]
            self._noticed.discard(person)
