"""Telling the language of a message: script, vocabulary, and the hint for short terms."""
from __future__ import annotations

import pytest

SAMPLES = {
    "de": ["Ich möchte als Pflegekraft nach Sachsen-Anhalt kommen, was muss ich tun?",
           "wie lange dauert die anerkennung meiner ausbildung"],
    "en": ["How long does the recognition of my degree take?", "do i need german for the blue card"],
    "ar": ["كم تستغرق معادلة شهادتي؟", "واش خاصني نتعلم الألمانية قبل ما نمشي؟"],
    "uk": ["Скільки часу триває визнання мого диплома?", "чи потрібна німецька для блакитної карти"],
    "ru": ["Сколько времени занимает признание моего диплома?", "нужен ли немецкий для голубой карты"],
    "vi": ["Công nhận bằng cấp mất bao lâu?", "toi muon sang duc lam dieu duong thi can giay to gi"],
    "es": ["¿Cuánto tarda el reconocimiento de mi título?", "necesito aleman para la tarjeta azul"],
    "fr": ["Combien de temps dure la reconnaissance de mon diplôme ?", "faut il parler allemand pour la carte bleue"],
}


@pytest.mark.parametrize("lang", SAMPLES)
def test_messages_are_recognised_without_a_hint(searcher, lang):
    for text in SAMPLES[lang]:
        assert searcher.identify(text).lang == lang, text


def test_ukrainian_and_russian_are_told_apart_by_their_letters_and_words(searcher):
    assert searcher.identify("Де зареєструвати місце проживання?").lang == "uk"
    assert searcher.identify("Где зарегистрировать место жительства?").lang == "ru"
    assert searcher.identify("дякую").lang == "uk"
    assert searcher.identify("спасибо").lang == "ru"


def test_vietnamese_without_diacritics_is_still_vietnamese(searcher):
    assert searcher.identify("xin chao, cho em hoi ve visa hoc nghe").lang == "vi"


def test_a_hint_decides_a_short_ambiguous_message(searcher):
    assert searcher.identify("Blue Card", "uk").lang == "uk"
    assert searcher.identify("Anerkennung", "vi").lang == "vi"
    assert searcher.identify("visa", "fr").lang == "fr"


def test_a_clear_message_wins_over_the_hint(searcher):
    assert searcher.identify("Wie lange dauert die Anerkennung meiner Ausbildung als Elektriker?", "en").lang == "de"
    assert searcher.identify("¿Cuánto cuesta el visado para trabajar en Alemania?", "de").lang == "es"
