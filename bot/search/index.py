"""The search index: built once from the knowledge base, then read by every query.

Every article gets one bag of word keys from all its languages (a Vietnamese message that says
"Anerkennung" should find the recognition article), each key weighted by the field it came from.
Rare keys count more (IDF). Typos reach the vocabulary through rapidfuzz, compounds through their
known parts, inflections through stems.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.kb.model import KnowledgeBase
from bot.search.normalize import key, tokens
from bot.search.stemming import stem

# How much a word says about an article, by where in the article it stands.
FIELD_WEIGHTS = {"title": 1.0, "keywords": 1.0, "questions": 1.0, "synonyms": 0.9, "answer": 0.45}
STEM_MATCH = 0.9
COMPOUND_MATCH = 0.75
MIN_COMPOUND_PART = 4


@dataclass(frozen=True)
class Variant:
    """One way of asking for an article (a question, title or keyword), as a folded key."""

    article: int
    lang: str
    key: str


class SearchIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.article_ids: list[str] = sorted(kb.articles)
        self.words: dict[str, dict[int, float]] = defaultdict(dict)
        self.stems: dict[str, dict[int, float]] = defaultdict(dict)
        self.variants: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._fuzzy_cache: dict[str, list[tuple[str, float]]] = {}
        for idx, aid in enumerate(self.article_ids):
            self._add_article(idx, aid)
        n = len(self.article_ids)
        self.word_idf = {w: _idf(n, len(p)) for w, p in self.words.items()}
        self.stem_idf = {s: _idf(n, len(p)) for s, p in self.stems.items()}
        self.unknown_idf = _idf(n, 0.5) if n else 1.0
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self.words:
            if len(word) >= 4:
                self._by_initial[word[0]].append(word)

    def _add_article(self, idx: int, aid: str) -> None:
        article = self.kb.articles[aid]
        for lang, text in article.texts.items():
            fields = {
                "title": [text.title],
                "keywords": list(text.keywords),
                "questions": list(text.questions),
                "answer": [text.answer],
                "synonyms": self._synonyms_for(lang, [text.title, *text.keywords, *text.questions]),
            }
            for name, values in fields.items():
                weight = FIELD_WEIGHTS[name]
                for value in values:
                    for word in tokens(value):
                        self._post(self.words, word, idx, weight)
                        self._post(self.stems, stem(word, lang), idx, weight)
            bucket = self.variants[idx][lang]
            bucket.extend(k for k in (key(v) for v in [text.title, *text.questions, *text.keywords]) if k)

    def _synonyms_for(self, lang: str, phrases: list[str]) -> list[str]:
        """Terms from synonym groups that the article itself already uses (document-side expansion)."""
        padded = " " + " ".join(key(p) for p in phrases) + " "
        extra: list[str] = []
        for group_lang in (lang, "de"):
            for group in self.kb.synonyms.get(group_lang, ()):
                if any(f" {key(term)} " in padded for term in group):
                    extra.extend(group)
        return extra

    @staticmethod
    def _post(table: dict[str, dict[int, float]], word: str, idx: int, weight: float) -> None:
        if word and weight > table[word].get(idx, 0.0):
            table[word][idx] = weight

    def fuzzy_words(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words close to a word that is not in the vocabulary itself: typos, compounds."""
        cached = self._fuzzy_cache.get(word)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        if len(word) >= 4:
            cutoff = 80 if len(word) >= 7 else 84
            pool = self._by_initial.get(word[0], [])
            for match, score, _ in process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3):
                found[match] = score / 100
        if len(word) >= 2 * MIN_COMPOUND_PART:
            for part in _longest_known_parts(word, self.words):
                found.setdefault(part, COMPOUND_MATCH)
        result = sorted(found.items(), key=lambda kv: kv[1], reverse=True)
        if len(self._fuzzy_cache) > 50000:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = result
        return result


def _idf(n: int, df: float) -> float:
    return math.log((n - df + 0.5) / (df + 0.5) + 1)


def _longest_known_parts(word: str, vocabulary: dict) -> list[str]:
    """The longest known head and tail of a compound ("Anerkennungsbescheid" -> anerkennung, bescheid)."""
    parts = []
    for k in range(len(word) - 1, MIN_COMPOUND_PART - 1, -1):
        if word[:k] in vocabulary:
            parts.append(word[:k])
            break
    for k in range(len(word) - 1, MIN_COMPOUND_PART - 1, -1):
        if word[-k:] in vocabulary:
            parts.append(word[-k:])
            break
    return parts
