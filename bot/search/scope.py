"""Noticing messages that are about something else: another country, the weather, a joke.

Such messages share words with the articles ("visa", "Pflege"), so the search alone would offer a
far-fetched article. The terms live in knowledge/scope.yaml; this turns them into one pattern each.
"""
from __future__ import annotations

import re

from bot.kb.model import Scope
from bot.search.normalize import key

ABROAD, OFF_TOPIC = "abroad", "off-topic"
# Arabic writes "to", "in", "and", "the" onto the word: "لتركيا", "بألمانيا", "الألمانية".
_ARABIC_PREFIX = "(?:[وبلفك]?(?:ال)?)?"


# How many words before a place an origin word still counts: "from Italy, Spain or Poland"; words that also mean
# "of" ("de": "visa de trabajo en Canadá") count only right before it, with an article at most ("du Canada").
ORIGIN_WINDOW, NEAR_WINDOW = 4, 2


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    """Whole words of folded text; "term*" takes any ending."""
    parts = []
    for term in dict.fromkeys(terms):
        prefix = term.endswith("*")
        folded = key(term.rstrip("*"))
        if folded:
            parts.append(re.escape(folded) + (r"\w*" if prefix else ""))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(rf"(?:^| ){_ARABIC_PREFIX}(?:{'|'.join(parts)})(?= |$)")


def _every(section: dict[str, tuple[str, ...]]) -> list[str]:
    return [t for terms in section.values() for t in terms]


class ScopeGuard:
    def __init__(self, scope: Scope) -> None:
        self._abroad = _pattern(_every(scope.abroad))
        # Per language: "du" is French for "from" but Vietnamese "du lịch" is travel.
        self._origin = {lang: {key(t) for t in terms} for lang, terms in scope.origin.items()}
        self._near = {lang: {key(t) for t in terms} for lang, terms in scope.origin_near.items()}
        self._here = _pattern(_every(scope.here))
        self._off_topic = _pattern(_every(scope.off_topic))

    def outside(self, folded: str, lang: str) -> str | None:
        """Why the folded message is outside the service's field, or None.

        A place abroad counts when no origin word stands shortly before it and nothing names Germany.
        """
        if self._off_topic and self._off_topic.search(folded):
            return OFF_TOPIC
        if self._abroad is None or (self._here and self._here.search(folded)):
            return None
        origin, near = self._origin.get(lang, set()), self._near.get(lang, set())
        for match in self._abroad.finditer(folded):
            before = folded[: match.start()].split()
            if not (origin.intersection(before[-ORIGIN_WINDOW:]) or near.intersection(before[-NEAR_WINDOW:])):
                return ABROAD
        return None
