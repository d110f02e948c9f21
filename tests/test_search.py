"""What the search does with real messages: answer, offer choices, or say honestly that nothing fits."""
from __future__ import annotations

import pytest

from bot.search.normalize import fold_word, key, normalize


def test_normalisation_folds_case_punctuation_and_diacritics():
    assert key("  Ausländer-Behörde!! ") == "auslander behorde"
    assert key("Không có dấu?") == "khong co dau"
    assert normalize("ÉTÉ") == "été"
    assert fold_word("straße") == "strasse"
    assert key("التَّأْشِيرَة") == key("التاشيرة")
    assert key("сім’я") == key("сім'я") == "сімя"


@pytest.mark.parametrize(
    ("message", "article"),
    [
        ("Anerkenung meiner Ausbilung als Elektriker, wo beantragen?", "recognition-procedure"),  # typos
        ("Anerkennungsverfahren Unterlagen Übersetzung", "recognition-procedure"),  # compound, keywords only
        ("toi muon bao lanh vo con sang duc", "family-spouse-children"),  # Vietnamese without diacritics
        ("Де зробити Anmeldung після приїзду?", "arrival-registration"),  # German term inside Ukrainian
        ("how much do I need to earn for the Blue Card in 2026", "visa-blue-card"),
        ("Kita Platz Halle", "family-childcare"),
    ],
)
def test_typical_messages_find_their_article_first(searcher, message, article):
    result = searcher.search(message)
    assert result.best is not None and result.best.article == article, [c.article for c in result.candidates]


def test_a_confident_answer_carries_its_topics_and_scores_in_order(searcher):
    result = searcher.search("Wie hoch ist das Mindestgehalt für die Blaue Karte 2026?")
    assert result.action == "answer"
    assert result.best.article == "visa-blue-card" and result.best.topics == ("visa-entry",)
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert len(result.candidates) <= 5


@pytest.mark.parametrize(
    "message",
    ["What's the weather in Rome tomorrow?", "Rezept für Apfelstrudel", "bitcoin kurs heute",
     "кто выиграл вчера футбольный матч", "cách nấu phở bò ngon"],
)
def test_out_of_scope_messages_get_the_honest_fallback(searcher, message):
    assert searcher.search(message).action == "fallback"


@pytest.mark.parametrize("message", ["hallo", "thanks a lot!", "ты бот?", "مع السلامة", "cảm ơn nhiều"])
def test_small_talk_is_not_answered_with_an_article(searcher, message):
    result = searcher.search(message)
    assert result.action == "smalltalk" and result.smalltalk


def test_empty_or_number_only_messages_fall_back(searcher):
    assert searcher.search("  ?! ").action == "fallback"
    assert searcher.search("9").action == "fallback"


def test_a_vague_message_is_answered_with_choices(searcher):
    result = searcher.search("Familie")
    assert result.action in ("clarify", "answer")
    if result.action == "clarify":
        assert 1 <= len(result.choices) <= 3
        assert any(c.article.startswith("family") for c in result.choices)


@pytest.mark.parametrize(("message", "employer_first", "candidate_first"), [
    ("Sprachkurs Kosten", "employer-language-support", "language-learning-abroad"),
    ("Kosten", "employer-costs-typical", "costs-overview"),
])
def test_the_audience_prior_prefers_articles_for_the_persons_side(searcher, message, employer_first,
                                                                  candidate_first):
    assert searcher.search(message, audience="employer").candidates[0].article == employer_first
    assert searcher.search(message, audience="candidate").candidates[0].article == candidate_first


def test_very_long_messages_are_answered(searcher):
    message = "Ich bin Pflegefachkraft aus Indien und möchte wissen, wie die Anerkennung funktioniert. " * 60
    result = searcher.search(message)
    assert result.action in ("answer", "clarify")
