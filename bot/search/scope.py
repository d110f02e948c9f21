"""Noticing messages that are about something else: another country, the weather, a joke.

Such messages share words with the articles ("visa", "Pflege"), so the search alone would offer a
far-fetched article. The terms live in knowledge/scope.yaml; this finds them in a message.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from bot.kb.model import Scope
from bot.search.normalize import key

ABROAD, OFF_TOPIC = "abroad", "off-topic"
# Arabic writes "to", "in", "and", "the" onto the word: "لتركيا", "بألمانيا", "الألمانية".
_ARABIC_CLITICS = "وبلفك"
_ARABIC_ARTICLE = "ال"
# Terms are looked up by the first letters of their first word (a word shorter than this by itself; so a term
# with "*" needs at least this many letters, kb check says so).
TERM_HEAD = 3


# How many words before a place an origin word still counts: "from Italy, Spain or Poland"; words that also mean
# "of" ("de": "visa de trabajo en Canadá") count only right before it, with an article at most ("du Canada").
ORIGIN_WINDOW, NEAR_WINDOW = 4, 2


def _bare(word: str) -> tuple[str, ...]:
    """A word and the word without a leading Arabic clitic and/or article."""
    forms = [word]
    if word[:1] in _ARABIC_CLITICS and len(word) > 2:
        forms.append(word[1:])
    for form in list(forms):
        if form.startswith(_ARABIC_ARTICLE) and len(form) > 3:
            forms.append(form[2:])
    return tuple(forms)


class Terms:
    """Whole-word terms of folded text, found by word lookups (a term list of a few thousand entries costs no
    more per message than a short one); "term*" takes any ending of its last word."""

    def __init__(self, terms: list[str]) -> None:
        self._by_head: dict[str, list[tuple[tuple[str, ...], bool]]] = defaultdict(list)
        for term in dict.fromkeys(terms):
            words = tuple(key(term.rstrip("*")).split())
            if words:
                self._by_head[words[0][:TERM_HEAD]].append((words, term.endswith("*")))

    def found(self, words: list[str]) -> bool:
        return next(self.starts(words), None) is not None

    def starts(self, words: list[str]) -> Iterator[int]:
        """The positions in ``words`` where a term begins."""
        for i, word in enumerate(words):
            if any(self._matches(form, words, i) for form in _bare(word)):
                yield i

    def _matches(self, first: str, words: list[str], i: int) -> bool:
        for term, open_end in self._by_head.get(first[:TERM_HEAD], ()):
            found = (first, *words[i + 1 : i + len(term)])
            if len(found) < len(term) or found[:-1] != term[:-1]:
                continue
            if found[-1] == term[-1] or (open_end and found[-1].startswith(term[-1])):
                return True
        return False


def _every(section: dict[str, tuple[str, ...]]) -> list[str]:
    return [t for terms in section.values() for t in terms]


class ScopeGuard:
    def __init__(self, scope: Scope) -> None:
        self._abroad = Terms(_every(scope.abroad))
        # Per language: "du" is French for "from" but Vietnamese "du lịch" is travel.
        self._origin = {lang: {key(t) for t in terms} for lang, terms in scope.origin.items()}
        self._near = {lang: {key(t) for t in terms} for lang, terms in scope.origin_near.items()}
        self._here = Terms(_every(scope.here))
        self._off_topic = Terms(_every(scope.off_topic))

    def outside(self, folded: str, lang: str) -> str | None:
        """Why the folded message is outside the service's field, or None.

        A place abroad counts when no origin word stands shortly before it and nothing names Germany.
        """
        words = folded.split()
        if self._off_topic.found(words):
            return OFF_TOPIC
        if self._here.found(words):
            return None
        origin, near = self._origin.get(lang, set()), self._near.get(lang, set())
        for i in self._abroad.starts(words):
            before = words[:i]
            if not (origin.intersection(before[-ORIGIN_WINDOW:]) or near.intersection(before[-NEAR_WINDOW:])):
                return ABROAD
        return None
