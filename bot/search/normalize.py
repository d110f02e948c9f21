"""Turning what people type into comparable keys.

People write on phones: mixed case, missing diacritics ("khong co dau"), umlauts as "ae", stray
punctuation, Arabic with or without vowel marks. Search compares folded keys so that all of these meet.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = "'’ʼ`´‘"
_LATIN_FOLD = str.maketrans({"ß": "ss", "đ": "d", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "ı": "i"})
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": ""})
_CYRILLIC_FOLD = str.maketrans({"ё": "е", "ґ": "г"})
_CYRILLIC_APOSTROPHE = re.compile(rf"(?<=[\u0400-\u04ff])[{_APOSTROPHES}](?=[\u0400-\u04ff])")
_NON_WORD = re.compile(r"[^\w]+")
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u06d6-\u06ed]")


def normalize(text: str) -> str:
    """NFKC, casefold, punctuation to spaces; keeps diacritics (language identification needs them)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _CYRILLIC_APOSTROPHE.sub("", text)
    text = _ARABIC_MARKS.sub("", text)
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def _is_latin(ch: str) -> bool:
    return ch < "\u0250"


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """The diacritics-free key of one normalised word."""
    word = word.translate(_LATIN_FOLD).translate(_ARABIC_FOLD).translate(_CYRILLIC_FOLD)
    if word.isascii():
        return word
    out = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.category(ch) == "Mn" and out and _is_latin(out[-1]):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def tokens(text: str) -> list[str]:
    """Folded word keys of ``text``, in order."""
    return [fold_word(w) for w in normalize(text).split()]


def key(text: str) -> str:
    """One folded key for a whole phrase, used to compare question variants."""
    return " ".join(tokens(text))
