"""Human advisors end to end: cases in forum topics, relays both ways, nothing lost, nothing doubled."""
from __future__ import annotations

import asyncio
import html
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from telegram import Bot

from bot.channels.telegram.callbacks import CallbackSigner
from bot.channels.telegram.desk import AdvisorDesk
from bot.dialog.answers import Answerer
from bot.handoff.person import PersonSide
from bot.store.cases import Cases
from bot.store.db import open_database
from bot.store.insights import Insights
from bot.store.people import People, Person
from tests.fake_telegram import FakeTelegram
from tests.telegram_harness import running_bot

pytestmark = pytest.mark.slow
ADVISORS = -1009999
ADVISOR = {"chat_type": "supergroup", "user_id": 555, "first_name": "Berta", "language_code": "de"}
ALWAYS_OPEN = "mon-sun 00:00-23:59"


def desk_env(**extra: str) -> dict:
    return {"ADVISOR_CHAT_ID": str(ADVISORS), "OFFICE_HOURS": ALWAYS_OPEN, **extra}


async def open_case(fake: FakeTelegram, chat: int, lang: str, question: str, first_name: str = "Lan") -> int:
    """A person asks for an advisor, consents, skips the topic and writes the question; returns the thread."""
    before = len(fake.to(chat))
    await fake.say(chat, "/advisor", language_code=lang, first_name=first_name)
    (consent,) = await fake.next_messages(chat, before)
    await fake.press(chat, consent.buttons[0][1], language_code=lang)
    (topics,) = await fake.next_messages(chat, before + 1)
    await fake.press(chat, topics.buttons[-1][1], language_code=lang)
    await fake.next_messages(chat, before + 2)
    await fake.say(chat, question, language_code=lang, first_name=first_name)
    await fake.next_messages(chat, before + 3)
    return await thread_of(fake, chat)


async def thread_of(fake: FakeTelegram, person: int, timeout: float = 10) -> int:
    """The thread where the relay of the person's latest message landed."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        copies = [s for s in copies_to(fake, ADVISORS) if int(s.params["from_chat_id"]) == person]
        if copies:
            return int(copies[-1].params["message_thread_id"])
        await asyncio.sleep(0.02)
    raise AssertionError("nothing was relayed to the advisors")


def copies_to(fake: FakeTelegram, chat: int) -> list:
    return [s for s in fake.sent if s.method == "copyMessage" and s.chat_id == chat]


def group_texts(fake: FakeTelegram, thread: int | None = None) -> list[str]:
    return [s.text for s in fake.sent if s.chat_id == ADVISORS and s.method == "sendMessage"
            and (thread is None or int(s.params.get("message_thread_id") or 0) == thread)]


@pytest.mark.parametrize("lang", ["vi", "de", "ar"])
async def test_a_whole_case(fake, tmp_path, answerer, kb, lang):
    person = 7000 + ["vi", "de", "ar"].index(lang)
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread = await open_case(fake, person, lang, "Bằng điều dưỡng của tôi có được công nhận không?")
        created = fake.method_calls("createForumTopic")[-1]
        assert created["name"].startswith("#1 · " + lang + " · ")
        card = group_texts(fake, thread)[0]
        assert "Lan" in card and "Fall / Case #1" in card
        # a photo from the person is relayed
        await fake.send_media(person, "photo", language_code=lang)
        await fake.settle(0.2)
        assert len(copies_to(fake, ADVISORS)) == 2
        # the advisor answers with text and a photo; both reach the person
        await fake.say(ADVISORS, "Hallo Lan, bitte schicken Sie Ihr Zeugnis.", thread=thread, **ADVISOR)
        await fake.send_media(ADVISORS, "photo", thread=thread, **ADVISOR)
        await fake.settle(0.3)
        assert len(copies_to(fake, person)) == 2
        # an internal note stays internal
        await fake.say(ADVISORS, "! nur intern: Zeugnis fehlt", thread=thread, **ADVISOR)
        await fake.settle(0.2)
        assert len(copies_to(fake, person)) == 2
        # /kb sends an article in the person's language
        await fake.say(ADVISORS, "/kb Anerkennung Pflege", thread=thread, **ADVISOR)
        await fake.settle(0.3)
        choices = [s for s in fake.sent if s.chat_id == ADVISORS and s.buttons][-1]
        article_data = choices.buttons[0][1]
        await fake.press(ADVISORS, article_data, chat_type="supergroup", thread=thread, user_id=555)
        await fake.settle(0.3)
        article_id = fake_signed_action(article_data).split(":")[2]
        title = kb.articles[article_id].text(lang).title
        assert any(s.text.lstrip("\u200f").startswith("<b>") and html.escape(title) in s.text for s in fake.to(person))
        # claim and close: the person is told and asked for a rating
        await fake.say(ADVISORS, "/claim", thread=thread, **ADVISOR)
        await fake.say(ADVISORS, "/close", thread=thread, **ADVISOR)
        await fake.settle(0.3)
        renamed = [p["name"] for p in fake.method_calls("editForumTopic")]
        assert renamed[-1].endswith("closed · Berta")
        assert "Bearbeitet von / Claimed by: Berta" in fake.edits[0]["text"], "the card shows who claimed it"
        rating = [s for s in fake.to(person) if s.buttons and "★" in s.buttons[0][0]][-1]
        await fake.press(person, rating.buttons[4][1], language_code=lang)
        await fake.settle(0.2)
        await fake.say(person, "Rất hữu ích, cảm ơn!", language_code=lang)
        await fake.settle(0.2)
        # the bot answers again after the case is closed
        await fake.say(person, "Blue Card", language_code=lang)
        await fake.settle(0.3)
    db = await open_database(tmp_path / "bot.sqlite3")
    try:
        case = dict(await db.fetchone("SELECT * FROM cases WHERE id = 1"))
        notes = await db.fetchall("SELECT text FROM case_messages WHERE direction = 'note'")
    finally:
        await db.close()
    assert (case["status"], case["rating"], case["comment"], case["claimed_by"]) == (
        "closed", 5, "Rất hữu ích, cảm ơn!", "Berta")
    assert case["first_response_at"] is not None
    assert [n["text"] for n in notes] == ["nur intern: Zeugnis fehlt"]
    assert len(copies_to(fake, ADVISORS)) == 2, "after closing, messages are not relayed any more"


def make_desk(db, cases: Cases, answerer: Answerer) -> AdvisorDesk:
    people = People(db)
    handoff = PersonSide(answerer, people, cases, advisors_connected=True, retention_days=180, hours=None,
                         clock=lambda: datetime.now(UTC))
    return AdvisorDesk(ADVISORS, cases, people, Insights(db), answerer, handoff, CallbackSigner("s"),
                       remind_after=timedelta(hours=1), retention=timedelta(days=180))


def fake_signed_action(data: str) -> str:
    return data.rpartition("|")[0]


async def test_an_advisor_reply_to_a_person_who_blocked_the_bot(fake, tmp_path, answerer):
    person = 7101
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread = await open_case(fake, person, "en", "Can my wife come with me?")
        fake.blocked.add(person)
        await fake.say(ADVISORS, "Yes, she can, under conditions.", thread=thread, **ADVISOR)
        await fake.settle(0.3)
        assert any("blockiert" in t and "blocked" in t for t in group_texts(fake, thread))


async def test_a_deleted_topic_is_recreated_and_the_message_not_lost(fake, tmp_path, answerer):
    person = 7102
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread = await open_case(fake, person, "de", "Wie lange dauert die Anerkennung?")
        fake.deleted_topics.add((ADVISORS, thread))
        await fake.say(person, "Noch eine Frage: brauche ich beglaubigte Übersetzungen?", language_code="de")
        await fake.settle(0.4)
        topics = fake.method_calls("createForumTopic")
        assert len(topics) == 2
        new_thread = int(copies_to(fake, ADVISORS)[-1].params["message_thread_id"])
        assert new_thread != thread
        assert any("Fall / Case #1" in t for t in group_texts(fake, new_thread)), "the card is posted again"


async def test_strangers_cannot_use_advisor_commands(fake, tmp_path, answerer):
    person, stranger_group = 7103, -100555
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread = await open_case(fake, person, "en", "Help with my visa please")
        sent_before = len(fake.sent)
        await fake.say(stranger_group, "/cases", chat_type="supergroup", language_code="en")
        await fake.say(stranger_group, "/close", chat_type="supergroup", thread=thread, language_code="en")
        await fake.settle(0.3)
        assert len(fake.sent) == sent_before, "other groups get nothing"
        await fake.say(7104, "/close", language_code="en")
        (reply, *_rest) = await fake.wait_for(7104, 1)
        assert "don't know that command" in reply.text
        forged = CallbackSigner("wrong").sign("kb:1:visa-blue-card")
        await fake.press(ADVISORS, forged, chat_type="supergroup", thread=thread, user_id=555)
        await fake.settle(0.3)
        assert copies_to(fake, person) == [] and all("<b>" not in s.text for s in fake.to(person)[4:])
    db = await open_database(tmp_path / "bot.sqlite3")
    try:
        status = (await db.fetchone("SELECT status FROM cases WHERE id = 1"))["status"]
    finally:
        await db.close()
    assert status == "open"


async def test_two_cases_at_once_stay_apart(fake, tmp_path, answerer):
    first, second = 7201, 7202
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread_one = await open_case(fake, first, "uk", "Питання про визнання диплома", first_name="Olena")
        thread_two = await open_case(fake, second, "es", "Pregunta sobre el visado", first_name="Diego")
        assert thread_one != thread_two
        await fake.say(ADVISORS, "Antwort für Olena", thread=thread_one, **ADVISOR)
        await fake.say(ADVISORS, "Antwort für Diego", thread=thread_two, **ADVISOR)
        await fake.settle(0.3)
        one, two = copies_to(fake, first), copies_to(fake, second)
        assert len(one) == 1 and len(two) == 1
        assert one[0].params["message_id"] != two[0].params["message_id"]
        await fake.say(ADVISORS, "/cases", **ADVISOR)
        await fake.settle(0.2)
        listing = group_texts(fake)[-1]
        assert "#1" in listing and "#2" in listing


async def test_a_restart_in_the_middle_of_a_case_loses_nothing_and_doubles_nothing(fake, tmp_path, answerer):
    person = 7301
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread = await open_case(fake, person, "ru", "Вопрос о Голубой карте")
    # while the bot is down: the person writes twice, an advisor answers once
    await fake.say(person, "Ещё вопрос, пока бот спит", language_code="ru")
    await fake.send_media(person, "document", language_code="ru")
    await fake.say(ADVISORS, "Antwort während des Neustarts", thread=thread, **ADVISOR)
    # and a relay that was recorded but not sent when the process died
    db = await open_database(tmp_path / "bot.sqlite3")
    try:
        await Cases(db).add_message(1, "in", "aufgezeichnet, nicht gesendet", source_ref=f"{person}:424242")
    finally:
        await db.close()
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        await fake.settle(0.5)
        # Telegram repeats an update that was delivered but not confirmed: it must not be relayed twice
        await fake.say(person, "Ещё вопрос, пока бот спит", language_code="ru")
        await fake.settle(0.3)
    to_group = copies_to(fake, ADVISORS)
    sources = [(c.params["from_chat_id"], c.params["message_id"]) for c in to_group]
    assert len(sources) == len(set(sources)), "nothing doubled"
    assert (person, 424242) in sources, "the recorded relay was sent after the restart"
    assert len(to_group) == 1 + 2 + 1 + 1  # question, two while down, the recorded one, the repeated text
    assert len(copies_to(fake, person)) == 1


async def test_mydata_sends_a_file_and_delete_tells_the_topic(fake, tmp_path, answerer):
    person = 7401
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread = await open_case(fake, person, "fr", "Question sur le regroupement familial", first_name="Awa")
        await fake.say(person, "/mydata", language_code="fr")
        await fake.settle(0.3)
        chat, content, _ = fake.documents[-1]
        data = json.loads(content)
        assert chat == person and data["cases"][0]["first_name"] == "Awa"
        await fake.say(person, "/delete", language_code="fr")
        await fake.settle(0.2)
        confirm = [s for s in fake.to(person) if s.buttons][-1]
        await fake.press(person, confirm.buttons[0][1], language_code="fr")
        await fake.settle(0.3)
        assert any("gelöscht" in t and "erased" in t.lower() for t in group_texts(fake, thread))
        assert fake.method_calls("closeForumTopic")


async def test_outside_office_hours_people_hear_when_advisors_are_back(fake, tmp_path, answerer):
    now = datetime.now(UTC).astimezone()
    closed_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(now.weekday() + 3) % 7]
    person = 7501
    async with running_bot(fake, tmp_path, answerer, **desk_env(OFFICE_HOURS=f"{closed_day} 09:00-10:00")):
        await open_case(fake, person, "en", "When can someone help me?")
        opened = fake.to(person)[-1].text
        assert "Office hours:" in opened and "will be back on" in opened
        await fake.say(person, "/status", language_code="en")
        await fake.settle(0.2)
        assert "will be back on" in fake.to(person)[-1].text


async def test_a_waiting_case_is_announced_once_per_interval(fake, tmp_path, answerer):
    db = await open_database(tmp_path / "desk.sqlite3")
    cases = Cases(db)
    case = await cases.open("tg:1", "vi", "candidate", "recognition", "Lan", "?")
    async with db.transaction() as conn:
        old = (datetime.now(UTC) - timedelta(hours=3)).isoformat(timespec="seconds")
        await conn.execute("UPDATE cases SET created_at = ? WHERE id = ?", (old, case.id))
    bot = Bot(fake.token, base_url=f"{fake.url}/bot")
    desk = make_desk(db, cases, answerer)
    try:
        async with bot:
            context = SimpleNamespace(bot=bot)
            await desk.remind_waiting(context)
            await desk.remind_waiting(context)
            announced = [s for s in fake.sent if s.chat_id == ADVISORS]
            assert len(announced) == 1 and "#1" in announced[0].text and "3 h" in announced[0].text
            async with db.transaction() as conn:
                await conn.execute("UPDATE cases SET reminded_at = ? WHERE id = ?", (old, case.id))
            await desk.remind_waiting(context)
            assert len([s for s in fake.sent if s.chat_id == ADVISORS]) == 2
            await cases.add_message(case.id, "out", "answer", relayed=True)
            await desk.remind_waiting(context)
            assert len([s for s in fake.sent if s.chat_id == ADVISORS]) == 2, "answered cases are not announced"
    finally:
        await db.close()


async def test_closed_cases_are_purged_after_the_retention_period(tmp_path, answerer: Answerer):
    db = await open_database(tmp_path / "purge.sqlite3")
    cases = Cases(db)
    old_case = await cases.open("tg:1", "de", None, None, None, "alt")
    new_case = await cases.open("tg:2", "de", None, None, None, "neu")
    for case in (old_case, new_case):
        await cases.set_status(case.id, "closed")
    async with db.transaction() as conn:
        await conn.execute("UPDATE cases SET closed_at = '2025-01-01T00:00:00+00:00' WHERE id = ?", (old_case.id,))
    desk = make_desk(db, cases, answerer)
    try:
        assert await desk.purge() == 1
        assert await cases.get(old_case.id) is None and await cases.get(new_case.id) is not None
        assert await db.fetchone("SELECT * FROM case_messages WHERE case_id = ?", (old_case.id,)) is None
    finally:
        await db.close()


async def test_an_advisor_sends_local_help_in_the_persons_language(fake, tmp_path, answerer):
    person = 7601
    async with running_bot(fake, tmp_path, answerer, **desk_env()):
        thread = await open_case(fake, person, "uk", "Де подати документи на дозвіл на проживання?")
        await fake.say(ADVISORS, "/near Magdeburg", thread=thread, **ADVISOR)
        await fake.settle(0.3)
        sent = fake.to(person)[-1].text
        assert "WelcomeCenter Sachsen-Anhalt" in sent and "openstreetmap.org" in sent
        assert any("gesendet" in t for t in group_texts(fake, thread))


async def test_old_questions_are_forgotten(tmp_path):
    db = await open_database(tmp_path / "recent.sqlite3")
    people = People(db)
    try:
        await people.save(Person("tg:1"), question=("alte Frage", None))
        await people.remember_question("tg:1", "neue Frage", None)
        async with db.transaction() as conn:
            await conn.execute("UPDATE recent SET at = '2025-01-01T00:00:00+00:00' WHERE text = 'alte Frage'")
        assert await people.forget_old_questions("2026-01-01T00:00:00+00:00") == 1
        assert [q["text"] for q in await people.recent_questions("tg:1")] == ["neue Frage"]
    finally:
        await db.close()
