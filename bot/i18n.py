"""Languages of the interface: negotiation, gettext catalogs, native names, writing direction.

Catalogs live in ``locales/<lang>/LC_MESSAGES/messages.po``. A compiled ``.mo`` next to it is used when
it is up to date; otherwise the ``.po`` is compiled in memory, so a fresh clone needs no build step.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.config import PROJECT_ROOT
from bot.kb.model import LANGUAGES

DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"
RLM = "\u200f"
_locales_dir = PROJECT_ROOT / "locales"


def set_locales_dir(path: Path) -> None:
    global _locales_dir
    _locales_dir = path
    catalog.cache_clear()


def negotiate(code: str | None) -> str | None:
    """Our language for a code such as Telegram's ``language_code`` ("pt-br", "uk", "en-US"), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


@cache
def language_name(lang: str, in_sentence: bool = False) -> str:
    """The language's name in itself: "Français" on a button, "français" inside a French sentence."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name if in_sentence else name[:1].upper() + name[1:]


@cache
def is_rtl(lang: str) -> bool:
    try:
        return Locale.parse(lang).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def bidi(text: str, lang: str) -> str:
    """Anchor every line of a right-to-left text, so lines that start with a Latin word, a number
    or a link are still laid out right to left."""
    if not is_rtl(lang):
        return text
    return "\n".join(RLM + line if line and not line.startswith(RLM) else line for line in text.split("\n"))


@cache
def catalog(lang: str) -> NullTranslations:
    po = _locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as fp:
        parsed = read_po(fp, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translator(lang: str) -> Callable[[str], str]:
    """``_`` for one language: ``_ = translator("vi"); _("Sources")``."""
    return catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).gettext


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message
