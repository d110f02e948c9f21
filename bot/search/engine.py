"""Matching one message to articles: answer, offer choices, or say honestly that nothing fits."""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.kb.model import LANGUAGES, KnowledgeBase
from bot.search.index import STEM_MATCH, SearchIndex
from bot.search.langid import LanguageIdentifier
from bot.search.normalize import key, tokens
from bot.search.stemming import stem

ANSWER, CLARIFY, FALLBACK, SMALLTALK = "answer", "clarify", "fallback", "smalltalk"


@dataclass(frozen=True)
class Settings:
    """Weights and thresholds; calibrated on tests/data/labelled (see benchmarks/calibrate.py)."""

    coverage_weight: float = 0.55
    phrase_weight: float = 0.25
    contained_weight: float = 0.20
    answer_threshold: float = 0.62
    answer_margin: float = 0.06
    clarify_threshold: float = 0.45
    clarify_window: float = 0.12
    audience_penalty: float = 0.9
    smalltalk_threshold: float = 88.0
    smalltalk_max_words: int = 7
    candidates_scored: int = 12
    # A word nobody in the knowledge base uses counts like a fairly rare one, not like the rarest:
    # people pad questions with words of their own.
    unknown_word_weight: float = 0.7


@dataclass(frozen=True)
class Candidate:
    article: str
    topics: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class SearchResult:
    lang: str
    action: str
    candidates: tuple[Candidate, ...] = ()
    choices: tuple[Candidate, ...] = ()
    smalltalk: str | None = None
    language_certain: bool = True
    smalltalk_score: float = 0.0

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def score(self) -> float:
        """Confidence in what was done: the small-talk match, or the best article's score."""
        if self.action == SMALLTALK:
            return self.smalltalk_score
        return self.candidates[0].score if self.candidates else 0.0


@dataclass
class _Query:
    words: list[str]
    weights: list[float] = field(default_factory=list)


class Searcher:
    """Owns the index and the language models; one instance serves every message."""

    def __init__(self, kb: KnowledgeBase, settings: Settings | None = None) -> None:
        self.kb = kb
        self.settings = settings or Settings()
        self.index = SearchIndex(kb)
        self.langid = LanguageIdentifier(_language_samples(kb))
        self._smalltalk = [
            (intent.intent, lang, key(phrase))
            for intent in kb.smalltalk
            for lang, phrases in intent.says.items()
            for phrase in phrases
        ]

    def identify(self, text: str, hint: str | None = None):
        return self.langid.identify(text, hint)

    def search(self, text: str, lang_hint: str | None = None, audience: str | None = None) -> SearchResult:
        guess = self.langid.identify(text, lang_hint)
        lang = guess.lang
        certain = guess.evidence >= 2.0
        # Short bare numbers ("9", "17") say nothing about a topic on their own; years and "81a" do.
        words = [w for w in tokens(text) if not (w.isdigit() and len(w) < 4)]
        if not words:
            return SearchResult(lang, FALLBACK, language_certain=certain)
        if talk := self._smalltalk_intent(words):
            intent, talk_lang, similarity = talk
            if not lang_hint and not certain:
                lang = talk_lang
            return SearchResult(lang, SMALLTALK, smalltalk=intent, language_certain=certain,
                                smalltalk_score=round(similarity, 4))
        scored = self._score(words, lang, audience)
        return self._decide(lang, scored, certain)

    def _smalltalk_intent(self, words: list[str]) -> tuple[str, str, float] | None:
        s = self.settings
        if len(words) > s.smalltalk_max_words or not self._smalltalk:
            return None
        message = " ".join(words)
        best = process.extractOne(
            message, [k for _, _, k in self._smalltalk], scorer=fuzz.ratio, score_cutoff=s.smalltalk_threshold
        )
        if best is None:
            return None
        intent, lang, _ = self._smalltalk[best[2]]
        return intent, lang, best[1] / 100

    def _query_weights(self, words: list[str], lang: str) -> list[tuple[float, list[tuple[dict, float]]]]:
        """For each word: how informative it is, and the postings it reaches with their similarity."""
        idx = self.index
        result = []
        stem_langs = dict.fromkeys((lang, "de", "en"))
        for word in words:
            reach: list[tuple[dict, float]] = []
            weight = 0.0
            if word in idx.words:
                reach.append((idx.words[word], 1.0))
                weight = idx.word_idf[word]
            for stem_lang in stem_langs:
                stemmed = stem(word, stem_lang)
                if stemmed in idx.stems:
                    reach.append((idx.stems[stemmed], STEM_MATCH))
                    weight = weight or idx.stem_idf[stemmed]
            if not reach:
                for near, sim in idx.fuzzy_words(word):
                    reach.append((idx.words[near], sim))
                    weight = max(weight, idx.word_idf[near])
            if not reach:
                weight = idx.unknown_idf * self.settings.unknown_word_weight
            result.append((weight, reach))
        return result

    def _score(self, words: list[str], lang: str, audience: str | None) -> list[Candidate]:
        s = self.settings
        idx = self.index
        weighted = self._query_weights(words, lang)
        total = sum(w for w, _ in weighted) or 1.0
        coverage: dict[int, float] = {}
        for weight, reach in weighted:
            if weight < 0.05 or not reach:
                continue
            best: dict[int, float] = {}
            for postings, sim in reach:
                for article, field_weight in postings.items():
                    value = sim * field_weight
                    if value > best.get(article, 0.0):
                        best[article] = value
            for article, value in best.items():
                coverage[article] = coverage.get(article, 0.0) + weight * value
        if not coverage:
            return []
        top = sorted(coverage.items(), key=lambda kv: kv[1], reverse=True)[: s.candidates_scored]
        message = " ".join(words)
        candidates = []
        for article_idx, cov in top:
            variants = idx.variants[article_idx]
            pool = variants.get(lang, []) + (variants.get("de", []) if lang != "de" else [])
            phrase = process.extractOne(message, pool, scorer=fuzz.token_sort_ratio)
            contained = process.extractOne(message, pool, scorer=fuzz.token_set_ratio)
            score = (
                s.coverage_weight * cov / total
                + s.phrase_weight * (phrase[1] / 100 if phrase else 0.0)
                + s.contained_weight * (contained[1] / 100 if contained else 0.0)
            )
            article = self.kb.articles[idx.article_ids[article_idx]]
            if audience and not article.serves(audience):
                score *= s.audience_penalty
            candidates.append(Candidate(article.id, article.topics, round(min(score, 1.0), 4)))
        candidates.sort(key=lambda c: (-c.score, c.article))
        return candidates

    def _decide(self, lang: str, scored: list[Candidate], certain: bool) -> SearchResult:
        s = self.settings
        shown = tuple(scored[:5])
        if not scored or scored[0].score < s.clarify_threshold:
            return SearchResult(lang, FALLBACK, shown, language_certain=certain)
        first = scored[0].score
        second = scored[1].score if len(scored) > 1 else 0.0
        if first >= s.answer_threshold and first - second >= s.answer_margin:
            return SearchResult(lang, ANSWER, shown, language_certain=certain)
        close = [c for c in scored if c.score >= max(s.clarify_threshold, first - s.clarify_window)]
        return SearchResult(lang, CLARIFY, shown, choices=tuple(close[:3]), language_certain=certain)


def _language_samples(kb: KnowledgeBase) -> dict[str, list[str]]:
    samples: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for article in kb.articles.values():
        for lang, text in article.texts.items():
            samples.setdefault(lang, []).extend([text.title, text.answer, *text.questions, *text.keywords])
    for intent in kb.smalltalk:
        for lang, phrases in intent.says.items():
            samples.setdefault(lang, []).extend(phrases)
    return samples
