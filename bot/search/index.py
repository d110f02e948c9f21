"""The search index: built once from the knowledge base, then read by every query.

Each language has its own table of word keys -> articles, weighted by the field the word came from, so a
message is matched against the article texts in its own language. One extra table holds the German terms
(titles, keywords and their synonyms) that people type inside any language ("Anerkennung", "Kita").
Rare keys count more (IDF). Typos reach the vocabulary through rapidfuzz, compounds through their known
parts, inflections through stems.
"""
from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency

from bot.kb.model import KnowledgeBase
from bot.search.memo import Memo
from bot.search.normalize import fold_word, key, normalize, tokens
from bot.search.stemming import stem

# How much a word says about an article, by where in the article it stands.
FIELD_WEIGHTS = {"title": 1.0, "keywords": 1.0, "questions": 1.0, "synonyms": 0.9, "answer": 0.3}
GERMAN_TERMS = "de-terms"
STEM_MATCH = 0.9
EVERYDAY_ZIPF = 4.0
COMPOUND_MATCH = 0.75
MIN_COMPOUND_PART = 4


@dataclass
class Table:
    """Word and stem postings of one language (or of the German terms), with their IDF."""

    lang: str
    words: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    stems: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    word_idf: dict[str, float] = field(default_factory=dict)
    stem_idf: dict[str, float] = field(default_factory=dict)
    by_initial: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    fuzzy_cache: Memo = field(default_factory=lambda: Memo(20_000))
    spelled: dict[str, str] = field(default_factory=dict)  # key -> a spelling as people write it
    commonness: dict[str, float] = field(default_factory=dict)  # key -> weight factor, 1.0 for rare words

    def add(self, word: str, idx: int, weight: float) -> None:
        stem_lang = "de" if self.lang == GERMAN_TERMS else self.lang
        for table, k in ((self.words, word), (self.stems, stem(word, stem_lang))):
            if k and weight > table[k].get(idx, 0.0):
                table[k][idx] = weight

    def finish(self, n: int) -> None:
        self.commonness = everyday_factors(self.spelled, "de" if self.lang == GERMAN_TERMS else self.lang)
        self.spelled = {}
        self.word_idf = {w: idf(n, len(p)) for w, p in self.words.items()}
        self.stem_idf = {s: idf(n, len(p)) for s, p in self.stems.items()}
        for word in self.words:
            if len(word) >= 4:
                self.by_initial[word[0]].append(word)

    def fuzzy_words(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words close to a word that is not in the vocabulary itself: typos, compounds."""
        return self.fuzzy_cache.get_or(word, lambda: self._close_words(word))

    def _close_words(self, word: str) -> list[tuple[str, float]]:
        found: dict[str, float] = {}
        if len(word) >= 4:
            # Typos, not other words: "anerkenung" -> "anerkennung" (95), but not "weather" -> "whether" (86).
            cutoff = 84 if len(word) >= 8 else 88
            pool = self.by_initial.get(word[0], [])
            for match, score, _ in process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3):
                found[match] = score / 100
        if len(word) >= 2 * MIN_COMPOUND_PART:
            parts = _longest_known_parts(word, self.words)
            # "Anerkennungsbescheid" is explained by its two parts; "Umsatzsteuervoranmeldung" by "anmeldung"
            # hardly at all: a part counts by the share of the word the known parts explain.
            explained = min(1.0, sum(map(len, parts)) / len(word))
            for part in parts:
                found.setdefault(part, COMPOUND_MATCH * explained)
        return sorted(found.items(), key=lambda kv: kv[1], reverse=True)


BM25_K1, BM25_B = 1.2, 0.5


def sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


@dataclass
class PhraseBank:
    """The single phrasings (titles and questions) of one language, for BM25 between the message and each
    way of asking, the way FAQ search works. Only the shortlisted articles' phrasings are scored, so the
    cost per message does not grow with the knowledge base."""

    # Per article: each phrasing's term counts and its BM25 length damping (k1 * (1 - b + b * len / avg)).
    by_article: dict[int, list[tuple[dict[str, int], float]]] = field(default_factory=lambda: defaultdict(list))
    df: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    idf: dict[str, float] = field(default_factory=dict)
    count: int = 0
    average: float = 1.0

    def add(self, article: int, keys: list[str]) -> None:
        counts: dict[str, int] = {}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        for k in counts:
            self.df[k] += 1
        self.by_article[article].append((counts, len(keys)))
        self.count += 1

    def finish(self) -> None:
        self.idf = {k: idf(self.count, df) for k, df in self.df.items()}
        lengths = [length for phrasings in self.by_article.values() for _, length in phrasings]
        self.average = sum(lengths) / len(lengths) if lengths else 1.0
        self.by_article = {
            article: [(counts, BM25_K1 * (1 - BM25_B + BM25_B * length / self.average)) for counts, length in p]
            for article, p in self.by_article.items()
        }
        self.df = {}


class SearchIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.article_ids: list[str] = sorted(kb.articles)
        self.tables: dict[str, Table] = {}
        self.variants: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.banks: dict[str, PhraseBank] = defaultdict(PhraseBank)
        self._synonym_keys = {
            lang: [(group, [f" {key(term)} " for term in group]) for group in groups]
            for lang, groups in kb.synonyms.items()
        }
        for idx, aid in enumerate(self.article_ids):
            self._add_article(idx, aid)
        n = len(self.article_ids)
        for table in self.tables.values():
            table.finish(n)
        for bank in self.banks.values():
            bank.finish()
        self.unknown_idf = idf(n, 0.5) if n else 1.0
        # Plain dicts from here on: the finished index is read-only and can be pickled.
        self.variants = {a: dict(v) for a, v in self.variants.items()}
        self.banks = dict(self.banks)
        self.stopwords = {lang: self._stop_keys(lang, words) for lang, words in kb.stopwords.items()}

    def _stop_keys(self, lang: str, words: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
        """Stop words as typed and as folded keys; a folded key that is also the key of a content word
        ("hỏi" and "hội" both fold to "hoi") is left out, so that the content word keeps its weight."""
        typed = {normalize(w) for w in words}
        content = {
            fold_word(w)
            for a in self.kb.articles.values()
            if lang in a.texts
            for w in normalize(a.texts[lang].answer + " " + " ".join(a.texts[lang].questions)).split()
            if w not in typed
        }
        return frozenset(typed), frozenset(fold_word(w) for w in typed) - content

    def is_stopword(self, typed: str, folded: str, lang: str) -> bool:
        sets = self.stopwords.get(lang)
        return bool(sets) and (typed in sets[0] or folded in sets[1])

    def table(self, lang: str) -> Table:
        if lang not in self.tables:
            self.tables[lang] = Table(lang)
        return self.tables[lang]

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
            table = self.table(lang)
            for name, values in fields.items():
                weight = FIELD_WEIGHTS[name]
                for value in values:
                    for typed in normalize(value).split():
                        word = fold_word(typed)
                        table.add(word, idx, weight)
                        table.spelled.setdefault(word, typed)
            if lang == "de":
                terms = self.table(GERMAN_TERMS)
                for value in (text.title, *text.keywords, *fields["synonyms"]):
                    for word in tokens(value):
                        terms.add(word, idx, FIELD_WEIGHTS["keywords"])
            # Words sorted once here: comparing sorted words is rapidfuzz's token_sort_ratio, without the sorting.
            bucket = self.variants[idx][lang]
            bucket.extend(sorted_words(k) for k in (key(v) for v in [text.title, *text.questions, *text.keywords]) if k)
            for phrase in (text.title, *text.questions):
                words = tokens(phrase)
                stems = [stem(w, lang) for w in words]
                self.banks[lang].add(idx, stems + bigrams(stems))

    def _synonyms_for(self, lang: str, phrases: list[str]) -> list[str]:
        """Terms from synonym groups that the article itself already uses (document-side expansion)."""
        padded = " " + " ".join(key(p) for p in phrases) + " "
        extra: list[str] = []
        for group_lang in dict.fromkeys((lang, "de")):
            for group, keys in self._synonym_keys.get(group_lang, ()):
                if any(k in padded for k in keys):
                    extra.extend(group)
        return extra


def everyday_factors(spelled: dict[str, str], lang: str) -> dict[str, float]:
    """How much less a word counts because it is common in everyday language ("möchte", "drei", "seit"),
    from wordfreq's general word frequencies: the knowledge base alone is too small to tell "drei" from
    "Pflegefachfrau". Zipf 4 and rarer count fully; very common words count a quarter."""
    factors = {}
    for key_, typed in spelled.items():
        zipf = zipf_frequency(typed, lang, wordlist="small")  # the top words suffice, at a seventh of the memory
        if zipf > EVERYDAY_ZIPF:
            factors[key_] = max(0.25, 1 - 0.3 * (zipf - EVERYDAY_ZIPF))
    return factors


def bigrams(keys: list[str]) -> list[str]:
    """Neighbouring pairs ("thị thực" is one word in two syllables; "blue card" is not "blue")."""
    return [f"{a}_{b}" for a, b in itertools.pairwise(keys)]


def idf(n: int, df: float) -> float:
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
