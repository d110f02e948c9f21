"""Whole conversations on Telegram: the real bot, its real HTTP stack, a fake Bot API on 127.0.0.1."""
from __future__ import annotations

import html
import json
import logging

import pytest

from bot.channels.telegram import texts
from bot.i18n import language_name, translator
from bot.kb.model import LANGUAGES
from bot.logs import JsonFormatter
from bot.store.db import open_database
from tests.telegram_harness import running_bot

pytestmark = pytest.mark.slow


@pytest.fixture
async def bot(fake, tmp_path, answerer):
    async with running_bot(fake, tmp_path, answerer) as config:
        yield config


async def test_profile_is_published_in_every_language(fake, bot):
    await fake.settle(0.2)
    assert set(fake.commands) == {None, *LANGUAGES}
    for lang in LANGUAGES:
        names = [c["command"] for c in fake.commands[lang]]
        assert names[:3] == ["start", "topics", "advisor"]
        assert all(name.islower() and "-" not in name for name in names)
    assert fake.descriptions["de"] != fake.descriptions["en"]
    assert set(fake.short_descriptions) == {None, *LANGUAGES}


async def test_first_contact_uses_the_telegram_language(fake, bot):
    await fake.say(1001, "/start", language_code="uk")
    welcome, picker = await fake.wait_for(1001, 2)
    assert "✓ Українська" in [label for label, _ in picker.buttons]
    assert welcome.params["parse_mode"] == "HTML"
    assert welcome.params["link_preview_options"]["is_disabled"] is True


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_first_contact_in_every_language(fake, bot, kb, lang):
    chat = 2000 + LANGUAGES.index(lang)
    await fake.say(chat, "/start", language_code=lang)
    welcome, picker = await fake.wait_for(chat, 2)
    assert f"✓ {language_name(lang)}" in [label for label, _ in picker.buttons]
    await fake.press(chat, picker.button(language_name(lang)), language_code=lang)
    done, audience = await fake.next_messages(chat, 2, 2)
    await fake.press(chat, audience.buttons[0][1], language_code=lang)
    thanks, menu = await fake.next_messages(chat, 4, 2)
    recognition = kb.topics["recognition"].titles[lang]
    assert recognition in [label for label, _ in menu.buttons]
    for sent in (welcome, picker, done, audience, thanks, menu):
        assert sent.params["parse_mode"] == "HTML"


async def test_topic_menu_down_to_an_article(fake, bot, kb):
    chat = 3001
    await fake.say(chat, "/topics", language_code="de")
    (picker,) = await fake.wait_for(chat, 1)
    await fake.press(chat, picker.button("Arbeitgeber"), language_code="de")
    _, menu = await fake.next_messages(chat, 1, 2)
    await fake.press(chat, menu.button(kb.topics["employer-funding"].titles["de"]), language_code="de")
    (listing,) = await fake.next_messages(chat, 3)
    title = kb.articles["employer-funding-wage-subsidy"].text("de").title
    await fake.press(chat, listing.button(title), language_code="de")
    (article,) = await fake.next_messages(chat, 4)
    assert article.text.startswith(f"<b>{html.escape(title)}</b>")
    assert '<a href="https://' in article.text
    labels = [label for label, _ in article.buttons]
    assert any("Beratung" in label for label in labels)
    assert len(labels) <= 3 + 2 + 1


async def test_a_question_with_a_typo_is_answered_with_typing_first(fake, tmp_path, answerer):
    chat = 3002
    async with running_bot(fake, tmp_path, answerer, TYPING_DELAY="0"):
        await fake.say(chat, "wie hoch ist der mindestlon 2026?", language_code="de")
        (answer,) = await fake.wait_for(chat, 1)
        assert "13,90" in answer.text or "13.90" in answer.text
        actions_before = [name for name, params in fake.calls if params.get("chat_id") in (chat, str(chat))]
        assert actions_before.index("sendChatAction") < actions_before.index("sendMessage")
        # Answered in the language of the person's Telegram app: the language choice is one tap away.
        await fake.press(chat, answer.button("Sprache ändern"), language_code="de")
        (picker,) = await fake.next_messages(chat, 1)
    assert "✓ Deutsch" in [label for label, _ in picker.buttons]


async def test_a_first_question_in_another_language_than_the_app_asks_for_the_language(fake, bot):
    chat = 3015
    await fake.say(chat, "Wie hoch ist der Mindestlohn 2026?", language_code="en")
    answer, picker = await fake.wait_for(chat, 2)
    assert "13,90" in answer.text
    assert "✓ Deutsch" in [label for label, _ in picker.buttons]


async def test_a_clarify_choice_leads_to_the_chosen_article(fake, bot, kb):
    chat = 3003
    await fake.say(chat, "Familie", language_code="de")
    first = (await fake.wait_for(chat, 1))[0]
    choices = [data for label, data in first.buttons if data.startswith("art:")]
    assert 2 <= len(choices) <= 3, "a one-word message with several family articles is answered with choices"
    await fake.press(chat, choices[0], language_code="de")
    await fake.settle(0.2)
    assert any(s.text.startswith("<b>") for s in fake.to(chat)[1:])


async def test_a_fallback_offers_an_advisor(fake, bot):
    chat = 3004
    await fake.say(chat, "How many legs does a spider have?", language_code="en")
    reply = (await fake.wait_for(chat, 1))[0]
    assert "no reliable answer" in reply.text
    assert any("advisor" in label for label, _ in reply.buttons)


async def test_a_stale_or_forged_button_gets_a_fresh_menu(fake, bot):
    chat = 3005
    await fake.press(chat, "art:visa-blue-card|forgedsig0", language_code="en")
    expired, menu = await fake.wait_for(chat, 2)
    assert expired.text == "This menu has expired. Here is a fresh one."
    assert menu.buttons
    answered = fake.method_calls("answerCallbackQuery")
    assert answered, "the button's spinner is stopped"


async def test_a_photo_gets_a_friendly_explanation(fake, bot):
    chat = 3006
    await fake.send_media(chat, "photo", language_code="fr")
    reply = (await fake.wait_for(chat, 1))[0]
    assert reply.text.startswith("Je ")
    assert len(reply.buttons) == 1


async def test_a_flood_gets_one_notice_then_silence(fake, tmp_path, answerer):
    async with running_bot(fake, tmp_path, answerer, FLOOD_LIMIT="3"):
        chat = 3007
        for n in range(6):
            await fake.say(chat, f"hallo {n}", language_code="de")
        await fake.settle(0.5)
        texts = [s.text for s in fake.to(chat)]
        notices = [t for t in texts if "sehr schnell" in t or "very fast" in t]
        assert len(notices) == 1
        assert len(texts) == 3 + 1  # three answers and one notice


async def test_a_person_who_blocked_the_bot_is_marked_and_not_retried(fake, bot, tmp_path):
    chat = 3008
    fake.blocked.add(chat)
    await fake.say(chat, "Blaue Karte Gehalt 2026", language_code="de")
    await fake.settle(0.3)
    attempts = [p for name, p in fake.calls if name == "sendMessage" and str(p.get("chat_id")) == str(chat)]
    assert len(attempts) <= 1
    db = await open_database(tmp_path / "bot.sqlite3")
    try:
        row = await db.fetchone("SELECT blocked FROM people WHERE person = ?", (f"tg:{chat}",))
    finally:
        await db.close()
    assert row is not None and row["blocked"] == 1


async def test_a_429_storm_is_ridden_out_without_losing_a_reply(fake, bot):
    chat = 3009
    fake.fail_next("sendMessage", 3, code=429, retry_after=1)
    await fake.say(chat, "/help", language_code="en")
    (reply,) = await fake.wait_for(chat, 1, timeout=20)
    assert "/topics" in reply.text
    refused = [name for name, _ in fake.calls if name == "sendMessage"]
    assert len(refused) >= 4


async def test_in_a_group_the_bot_only_points_to_a_private_chat(fake, bot):
    group = -100777
    await fake.say(group, "/start", language_code="de", chat_type="supergroup")
    await fake.say(group, "Blaue Karte?", language_code="de", chat_type="supergroup")
    await fake.settle(0.3)
    sent = fake.to(group)
    assert len(sent) == 1
    assert sent[0].buttons[0][1].startswith("https://t.me/")


async def test_chatid_tells_a_group_its_id_for_the_setup(fake, bot):
    group = -100888
    await fake.say(group, "/chatid", language_code="de", chat_type="supergroup")
    await fake.settle(0.3)
    assert [s.text for s in fake.to(group)] == ["ADVISOR_CHAT_ID=-100888"]


async def test_very_long_messages_are_accepted_and_answered(fake, bot):
    chat = 3010
    story = "Ich arbeite seit drei Jahren als Pflegekraft in Kenia und möchte nach Magdeburg. " * 40
    await fake.say(chat, story + "Wie läuft die Anerkennung als Pflegefachfrau?", language_code="de")
    replies = await fake.wait_for(chat, 1)
    assert replies[0].text


async def test_answers_that_need_escaping_stay_valid_html(fake, bot):
    chat = 3011
    await fake.say(chat, "<b>Kita</b> & Schule in Halle?", language_code="de")
    replies = await fake.wait_for(chat, 1)
    assert replies[0].text


async def test_an_error_gets_an_apology_and_a_log_line_without_personal_data(fake, bot, caplog):
    chat = 3012
    fake.fail_next("sendMessage", 1, code=400)
    with caplog.at_level(logging.INFO):
        await fake.say(chat, "Mein Name ist Oksana Petrenko, +49 170 1234567, Blaue Karte?", language_code="de",
                       first_name="Oksana")
        (apology,) = await fake.wait_for(chat, 1)
        await fake.settle(0.2)
    assert apology.text == translator("de")(texts.APOLOGY) != texts.APOLOGY
    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert '"error": "BadRequest"' in logged
    for secret in ("Oksana", "Petrenko", "1234567", "Blaue Karte"):
        assert secret not in logged


async def test_every_update_is_logged_as_one_structured_line(fake, bot, caplog):
    chat = 3013
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        await fake.say(chat, "Wo bekomme ich einen Kita-Platz für meine Tochter Mira?", language_code="de",
                       first_name="Mira")
        await fake.wait_for(chat, 1)
        await fake.settle(0.2)
    records = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "bot.updates"]
    assert len(records) == 1
    line = records[0]
    assert set(line) >= {"update_id", "kind", "lang", "action", "ms"}
    assert line["kind"] == "text" and line["lang"] == "de"
    assert "Mira" not in json.dumps(line) and "Kita" not in json.dumps(line)


async def test_an_edited_question_is_answered_again(fake, bot):
    chat = 3014
    await fake.say(chat, "/start", language_code="en")
    await fake.wait_for(chat, 2)
    await fake.say(chat, "What is the minimum wage in Germany in 2026?", language_code="en", edited=True)
    (answer,) = await fake.next_messages(chat, 2)
    assert "13.90" in answer.text


async def test_deep_links_open_the_matching_state(fake, bot):
    chat = 3015
    await fake.say(chat, "/start lang-de", language_code="en")
    welcome, audience = await fake.wait_for(chat, 2)
    assert welcome.text.startswith("Willkommen")
    assert [label for label, _ in audience.buttons][1].endswith("Arbeitgeber in Sachsen-Anhalt")
    employer = 3016
    await fake.say(employer, "/start employer", language_code="de")
    _, picker = await fake.wait_for(employer, 2)
    await fake.press(employer, picker.button("Deutsch"), language_code="de")
    _, menu = await fake.next_messages(employer, 2, 2)
    assert any("Einstellen aus dem Ausland" in label for label, _ in menu.buttons)


async def test_the_route_finder_on_telegram(fake, bot):
    chat = 3020
    await fake.say(chat, "/check", language_code="en")
    answers = {"c": "third", "g": "training", "t": "yes", "de": "B1", "a": "34"}
    for _ in range(8):
        await fake.settle(0.15)
        last = fake.to(chat)[-1]
        steps = [data for _, data in last.buttons if data.startswith("rf:")]
        if not steps or steps[0].startswith("rf:restart"):
            break
        step = steps[0].split(":")[1]
        await fake.press(chat, next(d for d in steps if d.split("|")[0] == f"rf:{step}:{answers[step]}"),
                         language_code="en")
    result = fake.to(chat)[-1]
    assert "Visa for vocational training (§ 16a)" in result.text
    assert '<a href="https://' in result.text


async def test_the_help_finder_with_a_shared_location(fake, bot):
    chat = 3021
    await fake.say(chat, "/nearby", language_code="de")
    await fake.wait_for(chat, 1)
    await fake.send_media(chat, "location", language_code="de")  # in Halle (Saale)
    (needs,) = await fake.next_messages(chat, 1)
    await fake.press(chat, next(d for _, d in needs.buttons if d.startswith("hf:need:residence")),
                     language_code="de")
    (result,) = await fake.next_messages(chat, 2)
    first = result.text.split("•")[1]
    assert "Halle" in first and "openstreetmap.org" in result.text
