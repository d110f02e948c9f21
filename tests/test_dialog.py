"""Every path of the conversation, in all eight languages, through the plain-data dialog."""
from __future__ import annotations

import pytest

from bot.dialog import actions
from bot.dialog.render import plain
from bot.dialog.types import Incoming, Outcome
from bot.i18n import RLM, language_name, translator
from bot.kb.model import LANGUAGES
from bot.store.db import open_database
from tests.conftest import make_dialog

PERSON = "test:1"
OUT_OF_SCOPE = {
    "de": "Wie backe ich einen Schokoladenkuchen mit Kirschen?",
    "en": "How do I bake a chocolate cake with cherries?",
    "ar": "كيف أخبز كعكة الشوكولاتة بالكرز؟",
    "uk": "Як спекти шоколадний торт з вишнями?",
    "ru": "Как испечь шоколадный торт с вишней?",
    "vi": "Công thức nấu phở bò ngon nhất",
    "es": "¿Cómo hago una tarta de chocolate con cerezas?",
    "fr": "Comment faire un gâteau au chocolat avec des cerises ?",
}
GREETING = {"de": "Hallo", "en": "Hello", "ar": "مرحبا", "uk": "Привіт", "ru": "Привет", "vi": "Xin chào",
            "es": "Hola", "fr": "Bonjour"}


async def send(dialog, **kw) -> Outcome:
    kw.setdefault("person", PERSON)
    return await dialog.handle(Incoming(**kw))


def buttons(outcome: Outcome) -> list[tuple[str, str]]:
    return [(b.label, b.action) for r in outcome.replies for row in r.buttons for b in row]


def action_named(outcome: Outcome, prefix: str) -> str:
    return next(a for _, a in buttons(outcome) if a.startswith(prefix))


def translated(lang: str, message: str) -> str:
    return translator(lang)(message)


async def onboard(dialog, lang: str, audience: str = "candidate") -> None:
    await send(dialog, command="start", lang_hint=lang)
    await send(dialog, action=actions.make(actions.LANG, lang))
    await send(dialog, action=actions.make(actions.AUDIENCE, audience))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_first_contact_asks_language_preselected_from_the_hint_then_audience(dialog, lang):
    start = await send(dialog, command="start", lang_hint=lang)
    assert start.lang == lang
    assert start.replies[0].text == translated(lang, start.replies[0].text) or lang == "en"
    labels = [label for label, _ in buttons(start)]
    assert f"✓ {language_name(lang)}" in labels
    assert sum(label.startswith("✓") for label in labels) == 1
    chosen = await send(dialog, action=actions.make(actions.LANG, lang))
    assert [a for _, a in buttons(chosen)] == ["aud:candidate", "aud:employer"]
    assert chosen.replies[-1].text == translated(lang, "Who are you? This helps me choose the right answers.")
    done = await send(dialog, action="aud:employer")
    topics = [a for _, a in buttons(done) if a.startswith("topic:")]
    assert "topic:employer-hiring" in topics and "topic:housing" not in topics


async def test_an_unsupported_telegram_language_gets_english_and_the_language_question(dialog):
    start = await send(dialog, command="start", lang_hint="pt-br")
    assert start.lang == "en"
    assert not any(label.startswith("✓") for label, _ in buttons(start)[:0])
    assert any(a == "lang:de" for _, a in buttons(start))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_topic_menu_leads_to_an_article_in_the_persons_language(dialog, kb, lang):
    await onboard(dialog, lang)
    menu = await send(dialog, command="topics")
    topic = action_named(menu, "topic:recognition")
    listing = await send(dialog, action=topic)
    first = action_named(listing, "art:")
    article_id = first.split(":", 1)[1]
    shown = await send(dialog, action=first)
    reply = shown.replies[0]
    text = kb.articles[article_id].text(lang)
    assert reply.title == text.title and reply.text == text.answer
    assert reply.sources == kb.articles[article_id].sources
    actions_shown = [a for _, a in buttons(shown)]
    related = [a for a in actions_shown if a.startswith("art:")]
    assert 1 <= len(related) <= 3
    assert f"fb:{article_id}:1" in actions_shown and f"fb:{article_id}:0" in actions_shown
    assert any(a.startswith("adv") for a in actions_shown)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_question_from_the_knowledge_base_is_answered_with_its_article(dialog, kb, lang):
    await onboard(dialog, lang)
    question = kb.articles["visa-blue-card"].text(lang).questions[1]
    outcome = await send(dialog, text=question)
    assert outcome.action == "answer"
    assert outcome.search.best.article == "visa-blue-card"
    assert outcome.replies[0].title == kb.articles["visa-blue-card"].text(lang).title
    assert any(a.startswith("adv") for _, a in buttons(outcome)), "an advisor is offered on every answer"


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_nothing_fitting_is_said_honestly_and_an_advisor_is_offered(dialog, db, lang):
    await onboard(dialog, lang)
    outcome = await send(dialog, text=OUT_OF_SCOPE[lang])
    assert outcome.action == "fallback"
    reply = outcome.replies[0]
    assert reply.title is None and not reply.sources
    assert [a for _, a in buttons(outcome)] == ["adv", "menu"]
    stored = await db.fetchall("SELECT * FROM misses")
    assert len(stored) == 1 and stored[0]["lang"] == lang and stored[0]["action"] == "fallback"
    assert PERSON not in str(dict(stored[0]))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_clarify_offers_up_to_three_choices_and_an_advisor(answerer, searcher, lang):
    result = searcher.search("Blue Card Chancenkarte Anerkennung Familiennachzug")
    reply = answerer.clarify(result.__class__(lang, "clarify", result.candidates, result.candidates[:3]), lang)
    choice_actions = [b.action for row in reply.buttons for b in row]
    assert len([a for a in choice_actions if a.startswith("art:")]) == 3
    assert choice_actions[-1] == "adv"
    assert reply.text == translated(lang, "I'm not sure which of these you mean. Please choose one:")


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_small_talk_gets_a_friendly_reply_not_an_article(dialog, kb, lang):
    await onboard(dialog, lang)
    outcome = await send(dialog, text=GREETING[lang])
    assert outcome.action == "smalltalk"
    greeting = next(t for t in kb.smalltalk if t.intent == "greeting")
    assert outcome.replies[0].text == greeting.replies[lang]
    assert outcome.replies[0].title is None


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_helpful_feedback_is_counted_anonymously_and_unhelpful_offers_an_advisor(dialog, db, lang):
    await onboard(dialog, lang)
    thanks = await send(dialog, action="fb:housing-scams:1")
    assert thanks.replies[0].text == translated(lang, "Thank you for your feedback!")
    sorry = await send(dialog, action="fb:housing-scams:0")
    assert [a for _, a in buttons(sorry)] == ["adv:housing"]
    rows = [dict(r) for r in await db.fetchall("SELECT article, lang, helpful FROM feedback ORDER BY id")]
    assert rows == [{"article": "housing-scams", "lang": lang, "helpful": 1},
                    {"article": "housing-scams", "lang": lang, "helpful": 0}]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_stale_or_forged_buttons_get_a_fresh_menu(dialog, lang):
    await onboard(dialog, lang)
    for forged in ("art:no-such-article", "topic:nothing", "fb:visa-blue-card:7", "lang:xx", "consent:yes", "???"):
        outcome = await send(dialog, action=forged)
        assert outcome.action == "expired"
        assert outcome.replies[0].text == translated(lang, "This menu has expired. Here is a fresh one.")
        assert any(a.startswith("topic:") for _, a in buttons(outcome))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_media_gets_an_explanation_and_the_advisor_offer(dialog, lang):
    await onboard(dialog, lang)
    outcome = await send(dialog, media="photo")
    assert outcome.action == "media"
    assert outcome.replies[0].text == translated(
        lang,
        "I can only read text messages. Please write your question in words. "
        "If you want to show this to a person, an advisor can look at it.",
    )
    assert [a for _, a in buttons(outcome)] == ["adv"]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_advisor_request_asks_consent_then_records_the_question(dialog, db, lang):
    await onboard(dialog, lang)
    offer = await send(dialog, command="advisor")
    assert "/delete" in offer.replies[0].text and "180" in offer.replies[0].text
    topics = await send(dialog, action="consent:yes")
    assert any(a == "ctopic:-" for _, a in buttons(topics))
    asked = await send(dialog, action="ctopic:recognition")
    assert asked.replies[0].text == translated(lang, "Please write your question for the advisors in one message.")
    opened = await send(dialog, text="Mein Abschluss aus Kenia – was nun?", first_name="Amina")
    assert opened.action == "case-opened"
    case_id = opened.events[0]["case"]
    assert f"#{case_id}" in opened.replies[0].text or f"{case_id}" in opened.replies[0].text
    case = dict(await db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,)))
    assert (case["lang"], case["audience"], case["topic"], case["first_name"], case["status"]) == (
        lang, "candidate", "recognition", "Amina", "open")
    assert case["consent_at"]
    follow_up = await send(dialog, text="Noch eine Frage dazu")
    assert follow_up.action == "relay"
    status = await send(dialog, command="status")
    assert str(case_id) in status.replies[0].text
    cancelled = await send(dialog, command="cancel")
    assert cancelled.action == "cancel"
    messages = await db.fetchall("SELECT direction, text FROM case_messages WHERE case_id = ?", (case_id,))
    assert [m["text"] for m in messages] == ["Mein Abschluss aus Kenia – was nun?", "Noch eine Frage dazu"]
    after = await send(dialog, text="Blaue Karte Gehalt")
    assert after.action != "relay", "after /cancel the bot answers again"


async def test_declining_consent_passes_nothing_on(dialog, db):
    await onboard(dialog, "en")
    await send(dialog, command="advisor")
    declined = await send(dialog, action="consent:no")
    assert declined.replies[0].text.startswith("All right. Nothing was passed on.")
    assert await db.fetchone("SELECT * FROM cases") is None


async def test_escalation_from_an_answer_skips_the_topic_question(dialog):
    await onboard(dialog, "en")
    await send(dialog, action="adv:housing")
    asked = await send(dialog, action="consent:yes")
    assert asked.replies[0].text == "Please write your question for the advisors in one message."


async def test_console_escalation_says_that_no_advisor_is_connected(dialog):
    await onboard(dialog, "en")
    await send(dialog, command="advisor")
    await send(dialog, action="consent:yes")
    await send(dialog, action="ctopic:-")
    opened = await send(dialog, text="Please help me")
    assert "No advisor is connected to this chat" in opened.replies[0].text


@pytest.mark.parametrize("lang", ["de", "ar"])
async def test_mydata_exports_and_delete_erases_everything(dialog, db, lang):
    await onboard(dialog, lang)
    await send(dialog, text="Blaue Karte Gehalt 2026")
    await send(dialog, command="advisor")
    await send(dialog, action="consent:yes")
    await send(dialog, action="ctopic:-")
    await send(dialog, text="Meine Frage", first_name="Lan")
    export = await send(dialog, command="mydata")
    data = export.events[0]["data"]
    assert data["person"]["lang"] == lang
    assert [q["text"] for q in data["recent_questions"]] == ["Blaue Karte Gehalt 2026"]
    assert data["cases"][0]["first_name"] == "Lan"
    assert data["cases"][0]["messages"][0]["text"] == "Meine Frage"
    confirm = await send(dialog, command="delete")
    assert [a for _, a in buttons(confirm)] == ["delete:yes", "delete:no"]
    erased = await send(dialog, action="delete:yes")
    assert erased.events[0]["cases"]
    for table in ("people", "recent", "cases", "case_messages"):
        assert await db.fetchone(f"SELECT * FROM {table}") is None, table


async def test_language_and_audience_survive_a_restart(answerer, tmp_path):
    path = tmp_path / "state.sqlite3"
    first = await open_database(path)
    await onboard(make_dialog(answerer, first), "vi", "employer")
    await first.close()
    second = await open_database(path)
    try:
        outcome = await send(make_dialog(answerer, second), command="topics")
        assert outcome.lang == "vi"
        assert "topic:employer-hiring" in [a for _, a in buttons(outcome)]
    finally:
        await second.close()


async def test_a_clearly_different_language_is_answered_in_it_and_switching_is_offered(dialog, kb):
    await onboard(dialog, "de")
    question = kb.articles["arrival-registration"].text("ru").questions[0]
    outcome = await send(dialog, text=question)
    assert outcome.lang == "ru"
    offer = outcome.replies[-1]
    assert [b.action for row in offer.buttons for b in row] == ["switch:ru"]
    switched = await send(dialog, action="switch:ru")
    assert switched.lang == "ru"
    again = await send(dialog, command="help")
    assert again.lang == "ru"


async def test_help_lists_the_commands_and_unknown_commands_get_help(dialog):
    await onboard(dialog, "fr")
    help_reply = await send(dialog, command="help")
    text = help_reply.replies[0].text
    for command in ("/topics", "/language", "/advisor", "/mydata", "/delete"):
        assert command in text
    unknown = await send(dialog, command="frobnicate")
    assert unknown.action == "unknown-command"
    assert unknown.replies[-1].text == text


async def test_deep_links_open_the_matching_state(dialog):
    employer = await send(dialog, person="test:2", command="start", argument="employer", lang_hint="en")
    assert any(a == "lang:en" for _, a in buttons(employer))
    vietnamese = await send(dialog, person="test:3", command="start", argument="lang-vi")
    assert vietnamese.lang == "vi"
    topic = await send(dialog, person="test:4", command="start", argument="topic-visa-entry", lang_hint="de")
    assert any(a == "art:visa-blue-card" for _, a in buttons(topic))


async def test_arabic_replies_read_right_to_left(dialog, kb):
    await onboard(dialog, "ar")
    shown = await send(dialog, action="art:visa-blue-card")
    rendered = plain(shown.replies[0])
    assert all(line.startswith(RLM) for line in rendered.split("\n") if line)
    assert kb.articles["visa-blue-card"].text("ar").title in rendered
