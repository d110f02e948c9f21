"""Measuring the search on a labelled question set: accuracy, rejection, language identification.

Used by the accuracy test, the calibration script and the benchmark, so that all three measure the
same thing. Items are split into a calibration half and a held-out half by a hash of their text.
"""
from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.kb.model import KnowledgeBase
from bot.search.engine import ANSWER, CLARIFY, FALLBACK, SMALLTALK, Searcher
from bot.search.normalize import key

IN_SCOPE, OUT_OF_SCOPE, SMALL_TALK = "question", "out-of-scope", "smalltalk"


@dataclass(frozen=True)
class Item:
    text: str
    lang: str
    kind: str  # question | out-of-scope | smalltalk
    expected: frozenset[str] = frozenset()
    style: str = "plain"
    audience: str | None = None  # who would write it, judged from the text (as chosen at onboarding)

    @property
    def held_out(self) -> bool:
        """Half of the items never take part in calibration, so that the figures stay honest."""
        return zlib.crc32(self.text.encode("utf-8")) % 2 == 1


def load_labelled(folder: Path) -> list[Item]:
    items: list[Item] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lang = data["lang"]
        for q in data.get("questions", []):
            expected = frozenset([q["article"], *q.get("also", [])])
            items.append(Item(q["q"], lang, IN_SCOPE, expected, q.get("style", "plain"), q.get("audience")))
        items += [Item(t, lang, OUT_OF_SCOPE) for t in data.get("out_of_scope", [])]
        items += [Item(t, lang, SMALL_TALK) for t in data.get("smalltalk", [])]
    return items


def overlaps(items: Iterable[Item], kb: KnowledgeBase) -> list[Item]:
    """Labelled items that are also one of the knowledge base's own question variants."""
    own = {key(q) for a in kb.articles.values() for t in a.texts.values() for q in t.questions}
    return [i for i in items if key(i.text) in own]


@dataclass
class Tally:
    total: int = 0
    hits: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.hits += int(ok)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


@dataclass
class Report:
    top1: Tally = field(default_factory=Tally)
    top3: Tally = field(default_factory=Tally)
    answered_right: Tally = field(default_factory=Tally)  # answered, and with the right article
    answered_wrong: Tally = field(default_factory=Tally)  # answered with a wrong article
    resolved: Tally = field(default_factory=Tally)  # right answer, or the right article among the choices
    rejection: Tally = field(default_factory=Tally)  # out-of-scope messages that got the honest fallback
    smalltalk: Tally = field(default_factory=Tally)
    language: Tally = field(default_factory=Tally)  # without any hint
    per_lang: dict[str, Report] = field(default_factory=dict)
    misses: list[tuple[Item, str, list[str]]] = field(default_factory=list)

    def row(self) -> dict[str, float]:
        return {
            "top1": self.top1.rate,
            "top3": self.top3.rate,
            "answered_right": self.answered_right.rate,
            "answered_wrong": self.answered_wrong.rate,
            "resolved": self.resolved.rate,
            "rejection": self.rejection.rate,
            "smalltalk": self.smalltalk.rate,
            "language": self.language.rate,
        }


def evaluate(searcher: Searcher, items: Iterable[Item], with_audience: bool = False) -> Report:
    """Run every item through the search as a person without stored language would send it; with
    ``with_audience``, as one who told the bot at onboarding whether they are a candidate or an employer."""
    report = Report()
    per_lang: dict[str, Report] = defaultdict(Report)
    for item in items:
        result = searcher.search(item.text, audience=item.audience if with_audience else None)
        lang_ok = result.lang == item.lang
        for r in (report, per_lang[item.lang]):
            r.language.add(lang_ok)
        ranked = [c.article for c in result.candidates] if result.action != SMALLTALK else []
        if item.kind == IN_SCOPE:
            top1 = bool(ranked) and ranked[0] in item.expected
            top3 = bool(item.expected & set(ranked[:3]))
            answered = result.action == ANSWER
            choices = {c.article for c in result.choices}
            resolved = (answered and top1) or (result.action == CLARIFY and bool(item.expected & choices))
            for r in (report, per_lang[item.lang]):
                r.top1.add(top1)
                r.top3.add(top3)
                r.answered_right.add(answered and top1)
                r.answered_wrong.add(answered and not top1)
                r.resolved.add(resolved)
            if not (answered and top1):
                report.misses.append((item, result.action, ranked[:3]))
        elif item.kind == OUT_OF_SCOPE:
            for r in (report, per_lang[item.lang]):
                r.rejection.add(result.action == FALLBACK)
            if result.action != FALLBACK:
                report.misses.append((item, result.action, ranked[:3]))
        else:
            for r in (report, per_lang[item.lang]):
                r.smalltalk.add(result.action == SMALLTALK)
            if result.action != SMALLTALK:
                report.misses.append((item, result.action, ranked[:3]))
    report.per_lang = dict(sorted(per_lang.items()))
    return report


def format_report(report: Report, title: str = "") -> str:
    """A Markdown table: one row per language and one for all."""
    names = ["top1", "top3", "answered_right", "answered_wrong", "resolved", "rejection", "smalltalk", "language"]
    lines = [title, ""] if title else []
    lines += ["| lang | " + " | ".join(n.replace("_", " ") for n in names) + " |", "|" + " --- |" * (len(names) + 1)]
    rows = [*report.per_lang.items(), ("all", report)]
    for lang, r in rows:
        values = r.row()
        # "n/a" where the set has no message of that kind (the fresh set has no small talk)
        cells = [f"{values[n] * 100:.1f}%" if getattr(r, n).total else "n/a" for n in names]
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
