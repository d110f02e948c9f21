"""Light stemming, so that "визу", "визы" and "виза" or "reconocer" and "reconocimiento" meet.

Snowball covers six of our languages; Ukrainian gets a small suffix stripper of its own and
Vietnamese, an isolating language, needs none.
"""
from __future__ import annotations

from functools import lru_cache

import snowballstemmer

_SNOWBALL = {"de": "german", "en": "english", "es": "spanish", "fr": "french", "ru": "russian", "ar": "arabic"}
_STEMMERS = {lang: snowballstemmer.stemmer(name) for lang, name in _SNOWBALL.items()}
# Ukrainian inflection endings, longest first; a stem keeps at least three letters.
_UK_SUFFIXES = sorted(
    [
        "ами", "ями", "ові", "еві", "ого", "ому", "ими", "іми", "ець", "ення", "ання", "ування", "ях", "ах",
        "ів", "ам", "ям", "ою", "ею", "ий", "ій", "ої", "ом", "ем", "ти", "ть", "ся", "ки", "ка", "ку", "ці",
        "а", "я", "у", "ю", "і", "и", "о", "е", "ь", "є", "ї",
    ],
    key=len,
    reverse=True,
)


def _uk(word: str) -> str:
    if word.endswith("ся") and len(word) > 5:
        word = word[:-2]
    for suffix in _UK_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=131072)
def stem(word: str, lang: str) -> str:
    """The stem of a folded word in ``lang``; unknown languages and short words stay as they are."""
    if len(word) < 4:
        return word
    if lang == "uk":
        return _uk(word)
    stemmer = _STEMMERS.get(lang)
    return stemmer.stemWord(word) if stemmer else word
