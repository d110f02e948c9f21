"""Results kept per word between messages: the same words ("visa", "Anerkennung") come again and again."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class Memo(dict):
    """A dict that forgets everything at once when it holds ``bound`` entries, so memory stays flat however
    many different words people send. Pickled with the search index like any dict."""

    def __init__(self, bound: int = 50_000) -> None:
        super().__init__()
        self.bound = bound

    def get_or(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        found = self.get(key)
        if found is None:
            if len(self) >= self.bound:
                self.clear()
            found = self[key] = compute()
        return found
