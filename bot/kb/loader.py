"""Reading the knowledge base from YAML, collecting every problem instead of stopping at the first.

Curators fix files in batches, so one run must name all problems, each with file, place and field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import AUDIENCES, LANGUAGES, Article, KnowledgeBase, Scope, SmallTalk, Text, Topic
from bot.search.normalize import key as folded_key
from bot.search.scope import TERM_HEAD as SCOPE_HEAD

# libyaml's loader when PyYAML was built with it (ten times faster), else the pure-Python one.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ARTICLE_KEYS = {"id", "topics", "audience", "sources", "reviewed", "related", *LANGUAGES}
TEXT_KEYS = {"title", "questions", "keywords", "answer"}


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    field: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.level}: {self.file}: {self.where}: {self.field}: {self.message}"


@dataclass
class Loaded:
    kb: KnowledgeBase
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


INVALID = object()  # what read_yaml returns for a file it could not parse (the problem is recorded)


class _Collector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def add(self, path: Path, where: str, fld: str, message: str, level: str = "error") -> None:
        try:
            shown = str(path.relative_to(self.root.parent))
        except ValueError:
            shown = str(path)
        self.problems.append(Problem(shown, where, fld, message, level))

    def read_yaml(self, path: Path) -> Any:
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "-"
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.add(path, where, "yaml", f"not valid YAML: {reason}")
        except (OSError, UnicodeDecodeError) as exc:
            self.add(path, "-", "file", f"cannot be read: {exc}")
        return INVALID


def _strings(value: Any) -> list[str] | None:
    """A list of non-empty strings, or None when the value is not one."""
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        return None
    return [str(v).strip() for v in value if str(v).strip()]


def _load_topics(c: _Collector, path: Path) -> dict[str, Topic]:
    data = c.read_yaml(path)
    topics: dict[str, Topic] = {}
    if not isinstance(data, list):
        if data is not INVALID:
            c.add(path, "-", "topics", "must be a list of topics")
        return topics
    for i, entry in enumerate(data):
        tid = str(entry.get("id", "")) if isinstance(entry, dict) else ""
        where = tid or f"entry {i + 1}"
        if not ID_PATTERN.match(tid):
            c.add(path, where, "id", "missing or not lowercase-with-dashes")
            continue
        if tid in topics:
            c.add(path, where, "id", "duplicate topic id")
        titles = entry.get("title") if isinstance(entry.get("title"), dict) else {}
        for lang in LANGUAGES:
            if not str(titles.get(lang, "")).strip():
                c.add(path, where, f"title.{lang}", "missing title in a required language")
        audience = entry.get("audience")
        if audience not in AUDIENCES:
            c.add(path, where, "audience", f"must be one of {', '.join(AUDIENCES)}")
        topics[tid] = Topic(
            id=tid,
            audience=audience if audience in AUDIENCES else "both",
            about=str(entry.get("about", "")),
            titles={k: str(v) for k, v in titles.items()},
        )
    return topics


def _load_text(c: _Collector, path: Path, aid: str, lang: str, raw: Any) -> Text | None:
    if not isinstance(raw, dict):
        c.add(path, aid, lang, "missing required language" if raw is None else "must be a mapping")
        return None
    for key in sorted(set(raw) - TEXT_KEYS):
        c.add(path, aid, f"{lang}.{key}", f"unknown field (expected {', '.join(sorted(TEXT_KEYS))})")
    title = str(raw.get("title") or "").strip()
    answer = str(raw.get("answer") or "").strip()
    questions = _strings(raw.get("questions"))
    keywords = _strings(raw.get("keywords") if raw.get("keywords") is not None else [])
    if not title:
        c.add(path, aid, f"{lang}.title", "empty title")
    if not answer:
        c.add(path, aid, f"{lang}.answer", "empty answer")
    if not questions:
        c.add(path, aid, f"{lang}.questions", "needs a list with at least one question")
    if keywords is None:
        c.add(path, aid, f"{lang}.keywords", "must be a list of terms")
    return Text(title, tuple(questions or ()), tuple(keywords or ()), answer)


def _load_article(c: _Collector, path: Path, data: Any) -> Article | None:
    if not isinstance(data, dict):
        c.add(path, path.stem, "article", "must be a mapping with id, topics, audience, ...")
        return None
    aid = str(data.get("id") or "").strip()
    where = aid or path.stem
    if not ID_PATTERN.match(aid):
        c.add(path, where, "id", "missing or not lowercase-with-dashes")
        return None
    if path.stem != aid:
        c.add(path, aid, "id", f"the file must be named {aid}.yaml")
    for key in sorted(set(data) - ARTICLE_KEYS):
        c.add(path, aid, key, "unknown field")
    topics = _strings(data.get("topics"))
    if not topics:
        c.add(path, aid, "topics", "needs a list with at least one topic id")
    audience = data.get("audience")
    if audience not in AUDIENCES:
        c.add(path, aid, "audience", f"must be one of {', '.join(AUDIENCES)}")
    sources = _strings(data.get("sources"))
    if not sources:
        c.add(path, aid, "sources", "needs a list with at least one official link")
    related = _strings(data.get("related") if data.get("related") is not None else [])
    if related is None:
        c.add(path, aid, "related", "must be a list of article ids")
    reviewed = data.get("reviewed")
    if isinstance(reviewed, str):
        try:
            reviewed = date.fromisoformat(reviewed)
        except ValueError:
            reviewed = None
    if not isinstance(reviewed, date):
        c.add(path, aid, "reviewed", "needs a date like 2026-11-25")
        reviewed = date.min
    texts = {}
    for lang in LANGUAGES:
        text = _load_text(c, path, aid, lang, data.get(lang))
        if text:
            texts[lang] = text
    return Article(
        id=aid,
        topics=tuple(topics or ()),
        audience=audience if audience in AUDIENCES else "both",
        sources=tuple(sources or ()),
        reviewed=reviewed,
        related=tuple(related or ()),
        texts=texts,
        path=path,
    )


def _load_synonyms(c: _Collector, path: Path) -> dict[str, tuple[tuple[str, ...], ...]]:
    data = c.read_yaml(path) if path.exists() else {}
    result: dict[str, tuple[tuple[str, ...], ...]] = {}
    if data is INVALID:
        return result
    if not isinstance(data, dict):
        c.add(path, "-", "synonyms", "must map a language code to a list of term groups")
        return result
    for lang, groups in data.items():
        if lang not in LANGUAGES:
            c.add(path, str(lang), "language", "not a supported language code")
            continue
        clean = []
        for i, group in enumerate(groups or []):
            terms = _strings(group)
            if not terms or len(terms) < 2:
                c.add(path, f"{lang} group {i + 1}", "terms", "a group needs at least two terms")
                continue
            clean.append(tuple(terms))
        result[lang] = tuple(clean)
    return result


def _load_smalltalk(c: _Collector, path: Path) -> tuple[SmallTalk, ...]:
    data = c.read_yaml(path) if path.exists() else {}
    if data is INVALID:
        return ()
    if not isinstance(data, dict):
        c.add(path, "-", "smalltalk", "must map an intent to its languages")
        return ()
    intents = []
    for intent, langs in data.items():
        says: dict[str, tuple[str, ...]] = {}
        replies: dict[str, str] = {}
        for lang in LANGUAGES:
            entry = langs.get(lang) if isinstance(langs, dict) else None
            phrases = _strings(entry.get("says")) if isinstance(entry, dict) else None
            reply = str(entry.get("reply") or "").strip() if isinstance(entry, dict) else ""
            if not phrases:
                c.add(path, str(intent), f"{lang}.says", "needs a list of phrases")
            if not reply:
                c.add(path, str(intent), f"{lang}.reply", "empty reply")
            says[lang] = tuple(phrases or ())
            replies[lang] = reply
        intents.append(SmallTalk(str(intent), says, replies))
    return tuple(intents)


def _load_stopwords(c: _Collector, path: Path) -> dict[str, tuple[str, ...]]:
    data = c.read_yaml(path) if path.exists() else {}
    if data is INVALID:
        return {}
    if not isinstance(data, dict):
        c.add(path, "-", "stopwords", "must map a language code to a list of words")
        return {}
    result = {}
    for lang, words in data.items():
        terms = _strings(words)
        if lang not in LANGUAGES or terms is None:
            c.add(path, str(lang), "words", "needs a supported language code and a list of words")
            continue
        result[lang] = tuple(terms)
    return result


def _load_scope(c: _Collector, path: Path) -> Scope:
    data = c.read_yaml(path) if path.exists() else {}
    if data is INVALID or not data:
        return Scope()
    if not isinstance(data, dict):
        c.add(path, "-", "scope", "must be a mapping of sections")
        return Scope()
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    for name in ("abroad", "origin", "origin_near", "here", "off_topic"):
        section = data.get(name) if isinstance(data.get(name), dict) else {}
        sections[name] = {}
        for lang in LANGUAGES:
            terms = _strings(section.get(lang))
            if not terms:
                c.add(path, name, lang, "needs a list of terms")
            elif name.startswith("origin") and any(" " in folded_key(t) for t in terms):
                c.add(path, name, lang, "origin words are single words (they are matched word by word)")
            elif short := [t for t in terms if t.endswith("*") and len(folded_key(t.rstrip("*"))) < SCOPE_HEAD]:
                c.add(path, name, lang, f"a term with * needs at least {SCOPE_HEAD} letters before it: {short}")
            sections[name][lang] = tuple(terms or ())
    replies = data.get("reply") if isinstance(data.get("reply"), dict) else {}
    reply = {lang: str(replies.get(lang) or "").strip() for lang in LANGUAGES}
    for lang in LANGUAGES:
        if not reply[lang]:
            c.add(path, "reply", lang, "empty reply")
    return Scope(**sections, reply=reply)


def _load_mapping(c: _Collector, path: Path) -> dict:
    """A YAML mapping whose content the guides check (see bot.kb.checks)."""
    if not path.exists():
        return {}
    data = c.read_yaml(path)
    if data is INVALID:
        return {}
    if not isinstance(data, dict):
        c.add(path, "-", "file", "must be a mapping")
        return {}
    return data


def _load_domains(c: _Collector, path: Path) -> tuple[str, ...]:
    data = c.read_yaml(path) if path.exists() else None
    if data is INVALID:
        return ()
    if not isinstance(data, dict):
        c.add(path, "-", "domains", "must map a group name to a list of domains")
        return ()
    return tuple(d.lower() for group in data.values() for d in (_strings(group) or []))


def load(root: Path) -> Loaded:
    """Load the knowledge base under ``root``; check the result with :mod:`bot.kb.checks`."""
    c = _Collector(root)
    if not root.is_dir():
        c.add(root, "-", "directory", "the knowledge directory does not exist")
        return Loaded(KnowledgeBase({}, {}), c.problems)
    topics = _load_topics(c, root / "topics.yaml")
    articles: dict[str, Article] = {}
    for path in sorted((root / "articles").glob("*.y*ml")):
        data = c.read_yaml(path)
        if data is INVALID:
            continue
        article = _load_article(c, path, data)
        if article is None:
            continue
        if article.id in articles:
            first = articles[article.id].path
            c.add(path, article.id, "id", f"duplicate id, also used in {first.name if first else '?'}")
            continue
        articles[article.id] = article
    kb = KnowledgeBase(
        topics=topics,
        articles=articles,
        synonyms=_load_synonyms(c, root / "synonyms.yaml"),
        smalltalk=_load_smalltalk(c, root / "smalltalk.yaml"),
        domains=_load_domains(c, root / "domains.yaml"),
        stopwords=_load_stopwords(c, root / "stopwords.yaml"),
        routes=_load_mapping(c, root / "routes.yaml"),
        contacts=_load_mapping(c, root / "contacts.yaml"),
        scope=_load_scope(c, root / "scope.yaml"),
    )
    return Loaded(kb, c.problems)
