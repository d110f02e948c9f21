"""Matching one message to articles: answer, offer choices, or say honestly that nothing fits."""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.kb.model import LANGUAGES, SIDES, KnowledgeBase
from bot.search.audience import AudienceGuesser
from bot.search.classifier import ArticleClassifier
from bot.search.index import BM25_B, BM25_K1, GERMAN_TERMS, STEM_MATCH, SearchIndex, bigrams, idf, sorted_words
from bot.search.langid import LangGuess, LanguageIdentifier
from bot.search.memo import Memo
from bot.search.normalize import fold_word, key, normalize
from bot.search.scope import OFF_TOPIC, ScopeGuard
from bot.search.stemming import stem

ANSWER, CLARIFY, FALLBACK, SMALLTALK = "answer", "clarify", "fallback", "smalltalk"
# Two unrelated short texts still share letters: rapidfuzz similarity below this says nothing.
PHRASE_FLOOR = 0.4
MAX_QUERY_CHARS = 1500
# Words below this weight ("und", "the", "là") barely move a score but reach every article: skipped.
MIN_WORD_WEIGHT = 0.15


def message_words(text: str) -> list[tuple[str, str]]:
    """(as typed, folded key) for each distinct word; short bare numbers ("9", "17") are dropped, they name
    no topic on their own (years and "81a" stay). Very long messages are cut, their start says enough."""
    typed = dict.fromkeys(normalize(text[:MAX_QUERY_CHARS]).split())  # each word once, in order
    return [(w, fold_word(w)) for w in typed if not (w.isdigit() and len(w) < 4)]


@dataclass(frozen=True)
class Settings:
    """Weights and thresholds; calibrated on tests/data/labelled (see benchmarks/calibrate.py)."""

    coverage_weight: float = 0.5
    phrase_weight: float = 0.3
    bank_weight: float = 0.2
    audience_guess_weight: float = 0.3
    answer_threshold: float = 0.50
    answer_margin: float = 0.1
    clarify_threshold: float = 0.4
    clarify_window: float = 0.08
    audience_penalty: float = 0.5
    # A message about another country or about something else entirely (see knowledge/scope.yaml).
    scope_penalty: float = 0.4
    smalltalk_threshold: float = 88.0
    smalltalk_max_words: int = 7
    candidates_scored: int = 8
    # The classifier's favourites join the word-coverage shortlist (a message in other words than the texts').
    classifier_candidates: int = 3
    # How much the classifier's doubt lowers an article's score: 0 ignores it, 1 lets it decide alone.
    classifier_weight: float = 0.5
    # The classifier's gap (see Features) at which its belief in an article falls to 1/e of its favourite's.
    classifier_temperature: float = 0.02
    # A word nobody in the knowledge base uses counts like a fairly rare one, not like the rarest:
    # people pad questions with words of their own.
    unknown_word_weight: float = 0.7
    # A long message tells a story around its question ("I'm a welder from Jordan, I arrived in Halle last
    # week, my landlord ..."): an article has to explain the question, not the whole story. Coverage is
    # measured against at most this much of the message's weight (about six informative words).
    message_weight_cap: float = 9.0
    stopword_weight: float = 0.1
    max_word_weight: float = 3.0


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
    outside: str | None = None  # why the message seems outside the service's field (bot.search.scope)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def score(self) -> float:
        """Confidence in what was done: the small-talk match, or the best article's score."""
        if self.action == SMALLTALK:
            return self.smalltalk_score
        return self.candidates[0].score if self.candidates else 0.0


@dataclass(frozen=True)
class Features:
    article: str
    topics: tuple[str, ...]
    coverage: float  # share of the message's information the article's words explain
    phrase: float  # rapidfuzz similarity of the whole message to the closest phrasing
    bank: float  # BM25 of the article's best phrasing, relative to a perfect match of the message
    against: float  # 0..1: how clearly the article is for the other audience
    known_audience: bool
    outside: bool = False  # the message is about another country or something else entirely
    # The classifier's log-likelihood of the article below that of its favourite, per unit of message weight.
    classifier_gap: float = 0.0
    message_weight: float = 1.0  # the summed weight of the message's words (coverage is a share of it)


@dataclass
class _Word:
    word: str
    weight: float  # how informative (IDF of what it matched; unknown words count too)
    articles: np.ndarray  # the articles the word reaches (index numbers) ...
    matches: np.ndarray  # ... and how well it matches each (field weight x similarity of the match)
    near: dict[str, float]  # vocabulary words it equals or resembles


class Searcher:
    """Owns the index and the language models; one instance serves every message."""

    observer: Callable[[float], None] | None = None  # e.g. a latency histogram; set by the running bot

    def __init__(self, kb: KnowledgeBase, settings: Settings | None = None) -> None:
        self.kb = kb
        self.settings = settings or Settings()
        self.index = SearchIndex(kb)
        self.classifier = ArticleClassifier(kb, self.index.article_ids)
        self.langid = LanguageIdentifier(_language_samples(kb))
        self.audience_guess = AudienceGuesser(kb)
        # Per audience, which articles (in index order) serve it.
        self._serving = {
            side: np.array([kb.articles[a].serves(side) for a in self.index.article_ids])
            for side in SIDES
        }
        self.scope = ScopeGuard(kb.scope)
        self._words = Memo()
        self._words_for = self.settings
        self._smalltalk = [
            (intent.intent, lang, key(phrase))
            for intent in kb.smalltalk
            for lang, phrases in intent.says.items()
            for phrase in phrases
        ]

    def identify(self, text: str, hint: str | None = None) -> LangGuess:
        return self.langid.identify(text, hint)

    def outside(self, text: str, lang: str) -> str | None:
        return self.scope.outside(key(text[:MAX_QUERY_CHARS]), lang)

    def search(self, text: str, lang_hint: str | None = None, audience: str | None = None) -> SearchResult:
        started = time.perf_counter()
        result = self._search(text, lang_hint, audience)
        if self.observer is not None:
            self.observer(time.perf_counter() - started)
        return result

    def _search(self, text: str, lang_hint: str | None, audience: str | None) -> SearchResult:
        guess = self.langid.identify(text, lang_hint)
        lang = guess.lang
        certain = guess.evidence >= 2.0
        words = message_words(text)
        if not words:
            return SearchResult(lang, FALLBACK, language_certain=certain)
        outside = self.outside(text, lang)
        # "How do you say good morning in German?" is not a greeting.
        talk = self._smalltalk_intent([w for _, w in words]) if outside != OFF_TOPIC else None
        if talk and talk[2] >= self.settings.smalltalk_threshold / 100:
            return self._smalltalk_result(talk, lang, lang_hint, certain)
        result = self._decide(lang, self._score(words, lang, audience, outside is not None), certain, outside)
        # "thanks, that helped" or "ok bye": small talk inside a few more words, and nothing worth answering;
        # or mostly small talk ("are you a human or a bot?") and no confident article.
        if talk and (result.action == FALLBACK or talk[3] >= 0.5):
            return self._smalltalk_result(talk, lang, lang_hint, certain)
        return result

    def _smalltalk_result(
        self, talk: tuple[str, str, float, float], lang: str, lang_hint: str | None, certain: bool
    ) -> SearchResult:
        intent, talk_lang, similarity, _ = talk
        if not lang_hint and not certain:
            lang = talk_lang
        return SearchResult(lang, SMALLTALK, smalltalk=intent, language_certain=certain,
                            smalltalk_score=round(similarity, 4))

    def _smalltalk_intent(self, words: list[str]) -> tuple[str, str, float, float] | None:
        """The closest small-talk phrase: intent, language, similarity (word order does not matter) and the
        share of the message's words that the phrase makes up.

        A short message that contains a whole phrase ("danke, hat geholfen") is a candidate too; the caller
        lets it win only when no article fits.
        """
        s = self.settings
        if len(words) > s.smalltalk_max_words or not self._smalltalk:
            return None
        message = " ".join(words)
        keys = [k for _, _, k in self._smalltalk]
        best = process.extractOne(message, keys, scorer=fuzz.token_sort_ratio, score_cutoff=s.smalltalk_threshold)
        if best is None:
            contained = process.extract(message, keys, scorer=fuzz.token_set_ratio, score_cutoff=100, limit=None)
            contained = [c for c in contained if len(c[0]) >= 3]
            if not contained:
                return None
            longest = max(contained, key=lambda c: len(c[0].split()))
            best = (longest[0], s.smalltalk_threshold - 1, longest[2])
        intent, lang, phrase = self._smalltalk[best[2]]
        return intent, lang, best[1] / 100, min(1.0, len(phrase.split()) / len(words))

    def _query_words(self, pairs: list[tuple[str, str]], lang: str) -> list[_Word]:
        """Each word of the message: how informative it is, and what in the index it reaches.

        The same words come again and again ("visa", "Anerkennung"): what a word reaches is kept, up to a bound.
        """
        if self._words_for is not self.settings:  # weights depend on the settings (calibration swaps them)
            self._words.clear()
            self._words_for = self.settings
        return [self._words.get_or((lang, typed, word), lambda t=typed, w=word: self._query_word(t, w, lang))
                for typed, word in pairs]

    def _query_word(self, typed: str, word: str, lang: str) -> _Word:
        """The message's own language comes first; the German terms table catches "Anerkennung" in any language."""
        idx = self.index
        tables = [idx.tables[t] for t in dict.fromkeys((lang, GERMAN_TERMS)) if t in idx.tables]
        reach: list[tuple[dict[int, float], float]] = []
        near: dict[str, float] = {}
        weight = 0.0
        for table in tables:
            if word in table.words:
                reach.append((table.words[word], 1.0))
                near[word] = 1.0
                weight = weight or table.word_idf[word]
            stemmed = stem(word, "de" if table.lang == GERMAN_TERMS else table.lang)
            if stemmed in table.stems:
                reach.append((table.stems[stemmed], STEM_MATCH))
                weight = weight or table.stem_idf[stemmed]
        if not reach:
            closest = 0.0
            for table in tables:
                for other, sim in table.fuzzy_words(word):
                    reach.append((table.words[other], sim))
                    near[other] = max(sim, near.get(other, 0.0))
                    if sim > closest:  # a typo is as informative as the word it most resembles
                        closest, weight = sim, table.word_idf[other]
        if not reach:
            weight = idx.unknown_idf * self.settings.unknown_word_weight
        elif tables:
            weight *= tables[0].commonness.get(word, 1.0)
        if idx.is_stopword(typed, word, lang):
            weight *= self.settings.stopword_weight
        best: dict[int, float] = {}  # each article's best match of the word: exact, stem or resemblance
        for postings, sim in reach:
            for article, field_weight in postings.items():
                value = sim * field_weight
                if value > best.get(article, 0.0):
                    best[article] = value
        articles = np.fromiter(best, dtype=np.intp, count=len(best))
        matches = np.fromiter(best.values(), dtype=np.float64, count=len(best))
        return _Word(word, min(weight, self.settings.max_word_weight), articles, matches, near)

    def _bank_scores(
        self, pairs: list[tuple[str, str]], qwords: list[_Word], lang: str, shortlist: list[int]
    ) -> dict[int, float]:
        """Best BM25 score of each shortlisted article's phrasings, relative to a perfect match of the message.

        A word the phrasings do not know stands in by its closest known spelling (typos), at its similarity.
        """
        bank = self.index.banks.get(lang)
        if bank is None:
            return {}
        unknown = idf(bank.count, 0)
        content: list[tuple[str, float]] = []
        ideal = 0.0
        for (typed, word), q in zip(pairs, qwords, strict=False):
            if self.index.is_stopword(typed, word, lang):
                continue
            key_, sim = stem(word, lang), 1.0
            if key_ not in bank.idf and q.near:
                near, sim = max(q.near.items(), key=lambda kv: kv[1])
                key_ = stem(near, lang)
            content.append((key_, sim))
            ideal += bank.idf.get(key_, unknown)
        keys = [k for k, _ in content]
        # What each term adds per occurrence, before a phrasing's length damping.
        factors: dict[str, float] = {}
        for k, sim in content + [(p, 1.0) for p in bigrams(keys)]:
            if k in bank.idf:
                factors[k] = factors.get(k, 0.0) + sim * bank.idf[k] * (BM25_K1 + 1)
        length = max(1, len(pairs))
        ideal = ideal * (BM25_K1 + 1) / (1 + BM25_K1 * (1 - BM25_B + BM25_B * length / bank.average)) or 1.0
        wanted = factors.keys()
        scores = {}
        for article in shortlist:
            best = 0.0
            for counts, damp in bank.by_article.get(article, ()):
                common = counts.keys() & wanted
                if common:
                    value = sum(factors[k] * counts[k] / (counts[k] + damp) for k in common)
                    if value > best:
                        best = value
            scores[article] = min(1.0, best / ideal)
        return scores

    def features(
        self, pairs: list[tuple[str, str]], lang: str, audience: str | None, outside: bool = False
    ) -> list[Features]:
        """The evidence for the most likely articles, before it is weighed (calibration reads this too)."""
        s = self.settings
        idx = self.index
        qwords = self._query_words(pairs, lang)
        words = [q.word for q in qwords]
        total = sum(q.weight for q in qwords) or 1.0
        # One vector operation per word, however many articles it reaches (a large knowledge base stays fast).
        coverage = np.zeros(len(idx.article_ids))
        for q in qwords:
            if q.weight >= MIN_WORD_WEIGHT and len(q.articles):
                coverage[q.articles] += q.weight * q.matches
        reached = int(np.count_nonzero(coverage))
        order = np.argsort(-coverage, kind="stable")[: min(s.candidates_scored, reached)].tolist()
        top = [(a, float(coverage[a])) for a in order]
        message = " ".join(words)
        gaps = self._classifier_gaps(message, audience)
        if s.classifier_candidates:
            shortlisted = set(order)
            favourites = np.argsort(gaps, kind="stable")[: s.classifier_candidates].tolist()
            top += [(a, float(coverage[a])) for a in favourites if a not in shortlisted]
        bank = self._bank_scores(pairs, qwords, lang, [a for a, _ in top])
        message = sorted_words(message)
        employer = self.audience_guess.employer_probability(words) if audience is None else None
        found = []
        for article_idx, cov in top:
            variants = idx.variants[article_idx]
            pool = variants.get(lang, []) + (variants.get("de", []) if lang != "de" else [])
            phrase = process.extractOne(message, pool, scorer=fuzz.ratio)  # both sides' words sorted
            article = self.kb.articles[idx.article_ids[article_idx]]
            if audience:
                against = 0.0 if article.serves(audience) else 1.0
            elif article.audience == "both" or employer is None:
                against = 0.0
            else:
                against = max(0.0, (1 - employer if article.audience == "employer" else employer) - 0.5) * 2
            found.append(
                Features(
                    article=article.id,
                    topics=article.topics,
                    coverage=cov / total,
                    phrase=max(0.0, (phrase[1] / 100 - PHRASE_FLOOR) / (1 - PHRASE_FLOOR)) if phrase else 0.0,
                    bank=bank.get(article_idx, 0.0),
                    against=against,
                    known_audience=audience is not None,
                    outside=outside,
                    classifier_gap=float(gaps[article_idx]),
                    message_weight=total,
                )
            )
        return found

    def _classifier_gaps(self, message: str, audience: str | None) -> np.ndarray:
        """Per article, its log-likelihood below the classifier's favourite's, per unit of message weight (longer
        messages spread the log-likelihoods further; per unit, one temperature suits short and long ones).

        With the audience known, the favourite is the best article for that side: an employer's "Visum Ablauf"
        is not measured against the candidate's visa article (which the audience prior lowers anyway)."""
        scores, mass = self.classifier.log_likelihoods(message)
        if mass <= 0:
            return np.zeros_like(scores)
        serving = self._serving.get(audience) if audience else None
        best = scores[serving].max() if serving is not None and serving.any() else scores.max()
        return np.maximum(best - scores, 0.0) / mass

    def combine(self, f: Features) -> float:
        """The word evidence, weighed, lowered where the classifier prefers another article. The classifier's
        belief is relative (a message about the weather still has a favourite article), so it multiplies rather
        than adds: it reorders the candidates but never makes an unrelated message look answerable."""
        s = self.settings
        belief = math.exp(-f.classifier_gap / s.classifier_temperature)
        coverage = f.coverage * f.message_weight / min(f.message_weight, s.message_weight_cap)
        score = (
            s.coverage_weight * coverage
            + s.phrase_weight * f.phrase
            + s.bank_weight * f.bank
        ) * (1 - s.classifier_weight + s.classifier_weight * belief)
        penalty = (1 - s.audience_penalty) if f.known_audience else s.audience_guess_weight
        return min(1.0, score * (1 - penalty * f.against) * (1 - s.scope_penalty * f.outside))

    def _score(
        self, words: list[tuple[str, str]], lang: str, audience: str | None, outside: bool
    ) -> list[Candidate]:
        found = self.features(words, lang, audience, outside)
        scored = [Candidate(f.article, f.topics, round(self.combine(f), 4)) for f in found]
        scored.sort(key=lambda c: (-c.score, c.article))
        return scored

    def _decide(self, lang: str, scored: list[Candidate], certain: bool, outside: str | None) -> SearchResult:
        s = self.settings
        shown = tuple(scored[:5])
        if not scored or scored[0].score < s.clarify_threshold:
            return SearchResult(lang, FALLBACK, shown, language_certain=certain, outside=outside)
        first = scored[0].score
        second = scored[1].score if len(scored) > 1 else 0.0
        if first >= s.answer_threshold and first - second >= s.answer_margin:
            return SearchResult(lang, ANSWER, shown, language_certain=certain, outside=outside)
        close = [c for c in scored if c.score >= max(s.clarify_threshold, first - s.clarify_window)]
        return SearchResult(lang, CLARIFY, shown, choices=tuple(close[:3]), language_certain=certain,
                            outside=outside)


def _language_samples(kb: KnowledgeBase) -> dict[str, list[str]]:
    samples: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for article in kb.articles.values():
        for lang, text in article.texts.items():
            samples.setdefault(lang, []).extend([text.title, text.answer, *text.questions, *text.keywords])
    for intent in kb.smalltalk:
        for lang, phrases in intent.says.items():
            samples.setdefault(lang, []).extend(phrases)
    return samples
