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
     "кто выиграл вчера футбольный матч", "cách nấu phở bò ngon",
     "Umsatzsteuervoranmeldung abgeben"],  # only its tail is a known word ("Anmeldung")
)
def test_out_of_scope_messages_get_the_honest_fallback(searcher, message):
    assert searcher.search(message).action == "fallback"


@pytest.mark.parametrize(
    "message",
    ["hallo", "thanks a lot!", "ты бот?", "مع السلامة", "cảm ơn nhiều", "bist du ein roboter oder ein mensch?"],
)
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


@pytest.mark.parametrize("message", ["Deutschkurs finanzieren", "Kosten", "Anerkennung Hilfe", "Ausbildung"])
def test_the_audience_prior_prefers_articles_for_the_persons_side(searcher, kb, message):
    """Two-word messages that both sides send: each gets an article meant for it, and they differ."""
    firsts = {}
    for audience in ("employer", "candidate"):
        first = searcher.search(message, audience=audience).candidates[0].article
        assert kb.articles[first].serves(audience), (audience, first)
        firsts[audience] = first
    assert firsts["employer"] != firsts["candidate"], firsts


def test_very_long_messages_are_answered(searcher):
    message = "Ich bin Pflegefachkraft aus Indien. Wie funktioniert die Anerkennung in Sachsen-Anhalt? " * 60
    result = searcher.search(message)
    assert result.action in ("answer", "clarify")


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        ("Wie hoch ist der Mindestlohn in Kanada?", "de"),
        ("how do I get a work visa for Australia", "en"),
        ("quels papiers pour travailler au Japon ?", "fr"),
        ("¿qué tiempo hace mañana en Halle?", "es"),
        ("расскажи анекдот про немцев", "ru"),
        ("як сказати «дякую» німецькою?", "uk"),
        ("كيف أحصل على عقد عمل في قطر؟", "ar"),
        ("xin visa lao động Hàn Quốc cần gì", "vi"),
        ("¿cuánto tarda la visa de trabajo para Canadá?", "es"),  # "de" here is "of", not "from"
        ("Шукаю роботу водієм у Польщі, які документи?", "uk"),
    ],
)
def test_another_country_or_another_matter_gets_the_honest_fallback(searcher, answerer, message, lang):
    result = searcher.search(message)
    assert result.action == "fallback" and result.outside is not None
    (reply,) = answerer.compose(result, lang)
    assert reply.text == answerer.kb.scope.reply[lang], "it says that this is outside its field"


@pytest.mark.parametrize(
    "message",
    [
        "Ich komme aus Kanada. Wie hoch muss das Gehalt für die Blaue Karte 2026 sein?",  # where from
        "I work in Dubai as a nurse and want to move to Germany, what do I need?",  # Germany named
        "Mein Chef macht ständig Witze über meine Herkunft, was kann ich tun?",  # jokes about someone
        "Soy de Canadá y quiero la tarjeta azul, ¿qué sueldo necesito en 2026?",
        "Wir wollen Pflegekräfte aus Italien, Spanien oder Polen einstellen. Was müssen wir beachten?",
    ],
)
def test_a_country_of_origin_or_a_german_destination_keeps_the_question_in_scope(searcher, message):
    result = searcher.search(message)
    assert result.outside is None and result.action != "fallback"


def test_no_phrasing_of_the_knowledge_base_reads_as_outside_its_field(searcher, kb):
    flagged = [(a.id, lang, q) for a in kb.articles.values() for lang, t in a.texts.items()
               for q in (t.title, *t.questions, *t.keywords) if searcher.outside(q, lang)]
    assert flagged == []
