"""Checks that need the whole knowledge base: references, links, freshness, collisions, length."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.kb.loader import Loaded, Problem
from bot.kb.model import Article, KnowledgeBase
from bot.search.normalize import key

STALE_AFTER = timedelta(days=365)
TELEGRAM_LIMIT = 4096
# Room left for the title, the sources heading and the buttons' explanation around an answer.
RENDER_RESERVE = 300
# Words per answer; Vietnamese counts syllables, so it gets more room.
WORDS = (60, 250)
WORD_FACTOR = {"vi": 1.45}


def _shown(article: Article, root: Path) -> str:
    if article.path is None:
        return article.id
    try:
        return str(article.path.relative_to(root.parent))
    except ValueError:
        return str(article.path)


def domain_allowed(url: str, domains: tuple[str, ...]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def url_problem(url: str, domains: tuple[str, ...]) -> str | None:
    """Why ``url`` may not be shown as an official source, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname or " " in url:
        return f"not a well-formed https URL: {url}"
    if not domain_allowed(url, domains):
        return f"domain {parts.hostname} is not listed in domains.yaml: {url}"
    return None


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _check_article(kb: KnowledgeBase, a: Article, today: date, add) -> None:
    for topic in a.topics:
        if topic not in kb.topics:
            add(a, "topics", f"unknown topic id '{topic}'")
    for rel in a.related:
        if rel == a.id:
            add(a, "related", "an article cannot be related to itself")
        elif rel not in kb.articles:
            add(a, "related", f"unknown article id '{rel}'")
    for url in a.sources:
        if problem := url_problem(url, kb.domains):
            add(a, "sources", problem)
    if a.reviewed > today:
        add(a, "reviewed", f"{a.reviewed} lies in the future")
    elif a.reviewed != date.min and today - a.reviewed > STALE_AFTER:
        add(a, "reviewed", f"last reviewed {a.reviewed}, more than 12 months ago: check the facts", "warning")
    for lang, text in a.texts.items():
        words = len(text.answer.split())
        low, high = (int(n * WORD_FACTOR.get(lang, 1)) for n in WORDS)
        if text.answer and not low <= words <= high:
            add(a, f"{lang}.answer", f"{words} words, expected {low} to {high}", "warning")
        size = utf16_len(text.title) + utf16_len(text.answer) + sum(len(s) + 3 for s in a.sources)
        if size + RENDER_RESERVE > TELEGRAM_LIMIT:
            add(a, f"{lang}.answer", f"too long for one Telegram message ({size} characters)")
        seen: set[str] = set()
        for q in text.questions:
            k = key(q)
            if k in seen:
                add(a, f"{lang}.questions", f"question listed twice: {q}", "warning")
            seen.add(k)


def _route_problems(kb: KnowledgeBase) -> list[Problem]:
    # Imported here: the guides use the interface strings, which import this package (a cycle otherwise).
    from bot.guides.routes import load_rules

    rules = load_rules(kb.routes)
    found = [Problem("knowledge/routes.yaml", "-", "rules", p) for p in rules.problems]
    for route in rules.routes:
        if route.get("article") not in kb.articles:
            found.append(Problem("knowledge/routes.yaml", route.get("id", "?"), "article",
                                 f"unknown article id {route.get('article')!r}"))
        if problem := url_problem(str(route.get("source", "")), kb.domains):
            found.append(Problem("knowledge/routes.yaml", route.get("id", "?"), "source", problem))
    for name, spec in rules.thresholds.items():
        if problem := url_problem(str(spec.get("source", "")), kb.domains):
            found.append(Problem("knowledge/routes.yaml", name, "source", problem))
    return found


def _contact_problems(kb: KnowledgeBase) -> list[Problem]:
    from bot.guides.help_finder import Directory  # here for the same reason as above

    directory = Directory(kb.contacts, kb.domains, set(kb.topics))
    found = [Problem("knowledge/contacts.yaml", "-", "directory", p) for p in directory.problems]
    if len(directory.areas) != 14:
        found.append(Problem("knowledge/contacts.yaml", "-", "areas",
                             f"{len(directory.areas)} areas; Sachsen-Anhalt has 11 districts and 3 cities"))
    authorities = {a for c in directory.contacts if c.kind == "foreigners-authority" for a in c.serves}
    for area in sorted(set(directory.areas) - authorities):
        found.append(Problem("knowledge/contacts.yaml", area, "foreigners-authority", "no foreigners' authority"))
    return found


def check(loaded: Loaded, root: Path, today: date | None = None) -> list[Problem]:
    """All problems: the loader's plus the cross-reference checks, errors first."""
    today = today or date.today()
    kb = loaded.kb
    problems = list(loaded.problems)

    def add(a: Article, fld: str, message: str, level: str = "error") -> None:
        problems.append(Problem(_shown(a, root), a.id, fld, message, level))

    owners: dict[str, list[tuple[Article, str]]] = defaultdict(list)
    for a in kb.articles.values():
        _check_article(kb, a, today, add)
        for lang, text in a.texts.items():
            for q in {key(q) for q in text.questions}:
                owners[q].append((a, lang))
    for q, places in owners.items():
        ids = sorted({a.id for a, _ in places})
        if len(ids) > 1:
            for a, lang in places:
                others = ", ".join(i for i in ids if i != a.id)
                add(a, f"{lang}.questions", f"question '{q}' also belongs to {others}")
    if kb.routes:
        problems += _route_problems(kb)
    if kb.contacts:
        problems += _contact_problems(kb)
    covered = {t for a in kb.articles.values() for t in a.topics}
    for topic in kb.topics:
        if topic not in covered:
            problems.append(
                Problem("knowledge/topics.yaml", topic, "articles", "no article covers this topic", "warning")
            )
    return sorted(problems, key=lambda p: (p.level != "error", p.file, p.where, p.field))
