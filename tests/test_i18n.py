"""Interface languages: complete catalogs, native language names, right-to-left Arabic."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT
from bot.i18n import RLM, bidi, is_rtl, language_name, negotiate, set_locales_dir, translator
from bot.kb.model import LANGUAGES

LOCALES = PROJECT_ROOT / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
COMMAND = re.compile(r"/[a-z_]+")


def messages(lang: str):
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return [m for m in read_po(fp, locale=lang) if m.id]


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_interface_string_is_translated_without_losing_placeholders(lang):
    entries = messages(lang)
    template = {m.id for m in read_po((LOCALES / "messages.pot").open("rb")) if m.id}
    assert {m.id for m in entries} == template, "catalog out of date: run python3 tasks.py i18n"
    for m in entries:
        assert m.string, f"{lang}: untranslated: {m.id}"
        assert not m.fuzzy, f"{lang}: fuzzy: {m.id}"
        assert sorted(PLACEHOLDER.findall(m.string)) == sorted(PLACEHOLDER.findall(m.id)), m.id
        assert set(COMMAND.findall(m.string)) >= set(COMMAND.findall(m.id)), m.id


def test_the_template_contains_every_string_the_code_uses(tmp_path):
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
         "--no-location", "--sort-output", "-o", str(out), "bot"],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )
    fresh = {m.id for m in read_po(out.open("rb")) if m.id}
    committed = {m.id for m in read_po((LOCALES / "messages.pot").open("rb")) if m.id}
    assert fresh == committed, "run: python3 tasks.py i18n"


def test_catalogs_work_without_a_compile_step(tmp_path):
    fresh = tmp_path / "locales"
    shutil.copytree(LOCALES, fresh, ignore=shutil.ignore_patterns("*.mo"))
    set_locales_dir(fresh)
    try:
        assert translator("de")("Browse topics") == "Themen ansehen"
        assert translator("vi")("Official sources:") != "Official sources:"
    finally:
        set_locales_dir(LOCALES)


def test_language_names_are_shown_in_their_own_language():
    names = {lang: language_name(lang) for lang in LANGUAGES}
    assert names == {
        "de": "Deutsch", "en": "English", "ar": "العربية", "uk": "Українська", "ru": "Русский",
        "vi": "Tiếng Việt", "es": "Español", "fr": "Français",
    }


def test_telegram_language_codes_are_negotiated():
    assert negotiate("de") == "de"
    assert negotiate("en-US") == "en"
    assert negotiate("pt-br") is None
    assert negotiate(None) is None


def test_arabic_lines_are_anchored_right_to_left_and_others_are_untouched():
    text = "Blue Card 2026\n\nhttps://www.make-it-in-germany.com\nالبطاقة الزرقاء"
    anchored = bidi(text, "ar")
    assert is_rtl("ar") and not is_rtl("de")
    assert all(line.startswith(RLM) for line in anchored.split("\n") if line)
    assert bidi(text, "de") == text
