"""Telling which of our languages a message is written in.

Three kinds of evidence, strongest first: the script (Arabic, Cyrillic, Latin) and letters only one
language uses (і ї є in Ukrainian, ы э ъ in Russian, ơ ư đ in Vietnamese, ß in German ...); then
word and letter-trigram models trained on the knowledge base's own texts, which also recognise
Vietnamese typed without diacritics; last, an optional hint such as Telegram's ``language_code``,
which decides when the message itself says little ("Blue Card?").
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.search.memo import Memo
from bot.search.normalize import fold_word, normalize

LATIN = ("de", "en", "vi", "es", "fr")
CYRILLIC = ("uk", "ru")
# Letters that (almost) only one language uses, with how strongly each counts.
_MARKERS: dict[str, dict[str, float]] = {
    "uk": {ch: 4.0 for ch in "іїєґ"},
    "ru": {ch: 4.0 for ch in "ыэъё"},
    "vi": {ch: 4.0 for ch in "ăâđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"},
    "de": {"ä": 3.0, "ö": 3.0, "ü": 2.0, "ß": 4.0},
    "es": {"ñ": 4.0, "¿": 4.0, "¡": 4.0, "á": 1.0, "í": 1.0, "ó": 1.0, "ú": 1.0},
    "fr": {"ç": 3.0, "œ": 4.0, "è": 2.0, "ê": 2.0, "à": 1.5, "ù": 2.0, "î": 2.0, "û": 2.0, "ë": 2.0},
}
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zà-ɏ]")
HINT_WEIGHT = 2.5
SHORT_MESSAGE = 4  # words; shorter messages in another script are terms, not a change of language


@dataclass(frozen=True)
class LangGuess:
    lang: str
    confidence: float  # 0..1: how far the winner is ahead of the runner-up
    evidence: float  # how much the message itself said, in log-probability units


def _trigrams(word: str) -> Iterable[str]:
    padded = f" {word} "
    return (padded[i : i + 3] for i in range(len(padded) - 2))


class LanguageIdentifier:
    """Word and trigram models per language, trained once on the knowledge base's texts."""

    def __init__(self, samples: dict[str, Iterable[str]]) -> None:
        self.languages = tuple(samples)
        self._words: dict[str, dict[str, float]] = {}
        self._grams: dict[str, dict[str, float]] = {}
        self._word_floor: dict[str, float] = {}
        self._gram_floor: dict[str, float] = {}
        for lang, texts in samples.items():
            words: Counter[str] = Counter()
            grams: Counter[str] = Counter()
            for text in texts:
                for word in normalize(text).split():
                    folded = fold_word(word)
                    words[folded] += 1
                    grams.update(_trigrams(folded))
            self._words[lang], self._word_floor[lang] = _log_probs(words)
            self._grams[lang], self._gram_floor[lang] = _log_probs(grams)
        self._per_word = Memo()
        # One floor for unseen words in every language, so a smaller corpus earns no advantage.
        for floors in (self._word_floor, self._gram_floor):
            lowest = min(floors.values(), default=0.0)
            for lang in floors:
                floors[lang] = lowest

    def identify(self, text: str, hint: str | None = None) -> LangGuess:
        norm = normalize(text)
        raw = unicodedata.normalize("NFC", text).casefold()
        if _ARABIC.search(raw) and "ar" in self.languages:
            return LangGuess("ar", 1.0, 10.0)
        if _CYRILLIC.search(raw):
            allowed = [lang for lang in CYRILLIC if lang in self.languages]
        elif _LATIN.search(raw):
            allowed = [lang for lang in LATIN if lang in self.languages]
        else:
            allowed = list(self.languages)
        if not allowed:
            allowed = list(self.languages)
        per_word = [self._word_scores(fold_word(w)) for w in norm.split()]
        chars = Counter(raw)
        scores = {}
        for lang in allowed:
            markers = _MARKERS.get(lang, {})
            scores[lang] = sum(w[lang] for w in per_word) + sum(
                weight * chars[ch] for ch, weight in markers.items() if ch in chars
            )
        best_plain = max(scores.values())
        evidence = best_plain - sorted(scores.values())[-2] if len(scores) > 1 else 10.0
        hint = (hint or "").split("-")[0].lower()
        if hint in self.languages and hint not in scores and (len(per_word) < SHORT_MESSAGE or evidence < 3.0):
            # "Blue Card" or "Anerkennung" from someone who writes Ukrainian: a term, not a language choice.
            return LangGuess(hint, 0.5, evidence)
        if hint in scores and len(per_word) <= 2:
            # One or two words say too little to overrule the language the person uses.
            return LangGuess(hint, 0.5, evidence)
        if hint in scores:
            scores[hint] += HINT_WEIGHT
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        margin = ranked[0][1] - ranked[1][1] if len(ranked) > 1 else 10.0
        return LangGuess(ranked[0][0], 1 - math.exp(-max(margin, 0.0)), evidence)

    def _word_scores(self, word: str) -> dict[str, float]:
        """How well each language explains a word (its own frequency and its letters); words recur, so each is
        worked out once."""
        return self._per_word.get_or(word, lambda: self._explain(word))

    def _explain(self, word: str) -> dict[str, float]:
        grams = tuple(_trigrams(word))
        found = {}
        for lang in self.languages:
            gram_lp, gram_floor = self._grams[lang], self._gram_floor[lang]
            gram_score = sum(gram_lp.get(g, gram_floor) for g in grams) / max(len(grams), 1)
            found[lang] = self._words[lang].get(word, self._word_floor[lang]) + 2.0 * gram_score
        return found


def _log_probs(counts: Counter[str]) -> tuple[dict[str, float], float]:
    """Add-one smoothed log probabilities, and the value for anything unseen."""
    total = sum(counts.values()) + len(counts) + 1
    return {k: math.log((v + 1) / total) for k, v in counts.items()}, math.log(1 / total)
