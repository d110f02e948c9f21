"""The knowledge base as plain, immutable data."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "vi", "es", "fr")
# Who a person is (chosen at onboarding); an article may also serve "both".
SIDES: tuple[str, ...] = ("candidate", "employer")
AUDIENCES: tuple[str, ...] = (*SIDES, "both")


@dataclass(frozen=True)
class Text:
    """One article in one language."""

    title: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Article:
    id: str
    topics: tuple[str, ...]
    audience: str
    sources: tuple[str, ...]
    reviewed: date
    related: tuple[str, ...]
    texts: dict[str, Text]
    path: Path | None = None

    def text(self, lang: str) -> Text:
        """The article in ``lang``; the loader guarantees every supported language exists."""
        return self.texts[lang]

    def serves(self, audience: str | None) -> bool:
        return audience is None or self.audience in ("both", audience)


@dataclass(frozen=True)
class Topic:
    id: str
    audience: str
    about: str
    titles: dict[str, str]

    def serves(self, audience: str | None) -> bool:
        return audience is None or self.audience in ("both", audience)


@dataclass(frozen=True)
class SmallTalk:
    """An intent such as a greeting: the ways people say it and the reply, per language."""

    intent: str
    says: dict[str, tuple[str, ...]]
    replies: dict[str, str]


@dataclass(frozen=True)
class Scope:
    """What the assistant is not for (see knowledge/scope.yaml): terms per language, and the honest reply."""

    abroad: dict[str, tuple[str, ...]] = field(default_factory=dict)
    origin: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "from": counts a few words before a place
    origin_near: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "de": only right before it
    here: dict[str, tuple[str, ...]] = field(default_factory=dict)
    off_topic: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reply: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeBase:
    topics: dict[str, Topic]
    articles: dict[str, Article]
    synonyms: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    smalltalk: tuple[SmallTalk, ...] = ()
    domains: tuple[str, ...] = ()
    stopwords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    routes: dict = field(default_factory=dict)  # the route finder's rules, as in routes.yaml
    contacts: dict = field(default_factory=dict)  # the help finder's directory, as in contacts.yaml
    scope: Scope = field(default_factory=Scope)

    def articles_for(self, topic: str, audience: str | None = None) -> list[Article]:
        """Articles whose main or secondary topic is ``topic``, main-topic ones first."""
        found = [a for a in self.articles.values() if topic in a.topics and a.serves(audience)]
        return sorted(found, key=lambda a: (a.topics.index(topic), a.id))
