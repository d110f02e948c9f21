"""The advisors' workspace on Telegram: one forum topic per case in the advisors' supergroup.

Every relay is recorded before it is sent and marked with the message it became, so a restart sends what is
still open and nothing twice. A topic deleted by hand is created again on the next message, and a person who
blocked the bot is reported in their topic instead of being retried.
"""
from __future__ import annotations

import asyncio
import html
import logging
import weakref
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.channels.telegram.callbacks import CallbackSigner
from bot.channels.telegram.front import media_kind, parse_command, send_replies
from bot.dialog.answers import Answerer
from bot.guides.cache import GuideCache
from bot.handoff import cards
from bot.handoff.person import PersonSide
from bot.metrics import Metrics
from bot.store.cases import CLOSED, IN, NOTE, OPEN, OUT, Case, Cases, Relay
from bot.store.insights import Insights
from bot.store.people import People

log = logging.getLogger("bot.desk")
KB_ACTION = "kb"
ARTICLE_KIND = "article"
MAX_KB_CHOICES = 5


def ref(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def split_ref(value: str) -> tuple[int, int]:
    chat, _, message = value.rpartition(":")
    return int(chat), int(message)


def person_chat(case: Case) -> int:
    return int(case.person.split(":", 1)[1])


def thread_missing(error: BadRequest) -> bool:
    text = str(error).lower()
    return "thread" in text or "topic" in text


class AdvisorDesk:
    def __init__(
        self,
        chat_id: int,
        cases: Cases,
        people: People,
        insights: Insights,
        answerer: Answerer,
        handoff: PersonSide,
        signer: CallbackSigner,
        remind_after: timedelta,
        retention: timedelta,
        metrics: Metrics | None = None,
        reload: Callable[[], Awaitable[list]] | None = None,
        guides: GuideCache | None = None,
    ) -> None:
        self.metrics = metrics or Metrics()
        self.guides = guides or GuideCache(answerer)  # the dialog's, so both see a reloaded knowledge base
        self.reload = reload  # re-reads the knowledge base; returns its errors
        self.chat_id = chat_id
        self.cases = cases
        self.people = people
        self.insights = insights
        self.answerer = answerer
        self.handoff = handoff
        self.signer = signer
        self.remind_after = remind_after
        self.retention = retention
        self._flushing = asyncio.Lock()  # relays leave in the order they arrived
        self._topic_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    # --- from the person's side ----------------------------------------------------------------
    async def on_events(self, bot, events: list[dict]) -> None:
        for event in events:
            kind = event.get("type")
            if kind in ("case_opened", "relay"):
                await self.flush(bot, event["case"])
            elif kind == "case_cancelled":
                case = await self.cases.get(event["case"])
                if case is not None:
                    await self._post(bot, case, "Die Person hat die Anfrage zurückgezogen / The person withdrew the "
                                                   "request.")
                    await self._rename(bot, case)
            elif kind == "erased":
                for erased in event["cases"]:
                    await self._erased(bot, erased)

    async def _erased(self, bot, erased: dict) -> None:
        thread = erased.get("thread_id")
        if not thread:
            return
        try:
            await bot.send_message(self.chat_id, "Auf Wunsch der Person gelöscht / Erased on the person's request.",
                                   message_thread_id=thread)
            await bot.edit_forum_topic(self.chat_id, thread, name=f"#{erased['id']} · erased")
            await bot.close_forum_topic(self.chat_id, thread)
        except TelegramError as exc:
            log.warning("erased topic not updated", extra={"fields": {"case": erased["id"],
                                                                       "error": type(exc).__name__}})

    # --- relaying ------------------------------------------------------------------------------
    async def flush(self, bot, case_id: int | None = None) -> None:
        """Send every recorded relay that has not gone out yet (of one case, or all after a restart)."""
        async with self._flushing:
            for relay in await self.cases.pending(case_id):
                case = await self.cases.get(relay.case_id)
                if case is None:
                    continue
                if relay.direction == IN:
                    await self._to_group(bot, case, relay)
                else:
                    await self._to_person(bot, case, relay)

    async def _to_group(self, bot, case: Case, relay: Relay) -> None:
        for attempt in (1, 2):
            thread = await self.ensure_topic(bot, case)
            reply_to = await self._reply_target(relay, self.chat_id)
            try:
                if relay.source_ref:
                    chat, message = split_ref(relay.source_ref)
                    sent = await bot.copy_message(self.chat_id, chat, message, message_thread_id=thread,
                                                  reply_parameters=reply_to)
                else:
                    sent = await bot.send_message(self.chat_id, relay.text or "-", message_thread_id=thread)
            except BadRequest as exc:
                if attempt == 1 and thread_missing(exc):  # the topic was deleted by hand: make a new one
                    await self.cases.set_thread(case.id, None)
                    case = await self.cases.get(case.id) or case
                    continue
                raise
            await self.cases.mark_relayed(relay.id, ref(self.chat_id, sent.message_id))
            return

    async def _to_person(self, bot, case: Case, relay: Relay) -> None:
        chat = person_chat(case)
        try:
            if relay.kind == ARTICLE_KIND:
                sent = (await send_replies(bot, chat, [self.answerer.article(relay.text or "", case.lang)],
                                           self.signer))[-1]
            else:
                group_chat, message = split_ref(relay.source_ref or "")
                sent = await bot.copy_message(chat, group_chat, message,
                                              reply_parameters=await self._reply_target(relay, chat))
        except Forbidden:
            await self.people.set_blocked(case.person, True)
            await self.cases.mark_relayed(relay.id, None)
            await self._post(bot, case, "⚠️ Die Person hat den Bot blockiert; die Nachricht kam nicht an. / "
                                        "The person has blocked the bot; the message was not delivered.")
            return
        await self.cases.mark_relayed(relay.id, ref(chat, sent.message_id))

    async def _reply_target(self, relay: Relay, chat: int) -> ReplyParameters | None:
        """Thread a reply where Telegram allows: to the copy of the message that was answered."""
        if not relay.reply_to_ref:
            return None
        target = await self.cases.counterpart(relay.reply_to_ref)
        if not target:
            return None
        target_chat, message = split_ref(target)
        if target_chat != chat:
            return None
        return ReplyParameters(message_id=message, allow_sending_without_reply=True)

    async def ensure_topic(self, bot, case: Case) -> int:
        if case.thread_id:
            return case.thread_id
        lock = self._topic_locks.get(case.id)
        if lock is None:
            lock = self._topic_locks[case.id] = asyncio.Lock()
        async with lock:
            fresh = await self.cases.get(case.id) or case
            if fresh.thread_id:
                return fresh.thread_id
            topic = await bot.create_forum_topic(self.chat_id, cards.topic_name(fresh))
            # Recorded at once, so a failing card does not make the next message open a second topic.
            await self.cases.set_thread(case.id, topic.message_thread_id)
            card = await bot.send_message(
                self.chat_id,
                html.escape(await self._card_text(fresh)),
                message_thread_id=topic.message_thread_id,
                parse_mode=ParseMode.HTML,
            )
            await self.cases.set_thread(case.id, topic.message_thread_id, card.message_id)
            return topic.message_thread_id

    async def _card_text(self, case: Case) -> str:
        return cards.case_card(case, self.answerer.kb, await self.people.recent_questions(case.person))

    async def _refresh_card(self, bot, case: Case) -> None:
        """Show the current state (who claimed it) on the case card."""
        fresh = await self.cases.get(case.id)
        if fresh is None or not fresh.thread_id or not fresh.card_message_id:
            return
        try:
            await bot.edit_message_text(html.escape(await self._card_text(fresh)), chat_id=self.chat_id,
                                        message_id=fresh.card_message_id, parse_mode=ParseMode.HTML)
        except BadRequest as exc:
            log.info("card not updated", extra={"fields": {"case": case.id, "error": type(exc).__name__}})

    async def _post(self, bot, case: Case, text: str) -> None:
        if not case.thread_id:
            return
        try:
            await bot.send_message(self.chat_id, text, message_thread_id=case.thread_id)
        except TelegramError as exc:
            log.warning("topic note not posted", extra={"fields": {"case": case.id, "error": type(exc).__name__}})

    async def _rename(self, bot, case: Case) -> None:
        fresh = await self.cases.get(case.id)
        if fresh is None or not fresh.thread_id:
            return
        try:
            await bot.edit_forum_topic(self.chat_id, fresh.thread_id, name=cards.topic_name(fresh))
        except BadRequest as exc:
            log.info("topic not renamed", extra={"fields": {"case": case.id, "error": type(exc).__name__}})

    # --- the advisors' group ------------------------------------------------------------------
    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        self.metrics.updates.labels("advisor").inc()
        bot = context.bot
        thread = message.message_thread_id if message.is_topic_message else None
        case = await self.cases.by_thread(thread) if thread else None
        command = parse_command(message.text or "")
        if case is None:
            if command and command[0] == "cases":
                now = datetime.now(UTC)
                await message.reply_text(cards.case_list(await self.cases.open_cases(), now))
            elif command and command[0] == "stats":
                misses = await self.insights.misses()
                await message.reply_text(cards.case_stats(await self.cases.all_cases(), misses, self.answerer.kb))
            elif command and command[0] == "reload" and self.reload is not None:
                errors = await self.reload()
                if errors:
                    shown = "\n".join(str(e) for e in errors[:10])
                    await message.reply_text(f"Nicht übernommen, der alte Stand bleibt / refused, the old knowledge "
                                             f"base stays ({len(errors)} errors):\n{shown}")
                else:
                    count = len(self.answerer.kb.articles)
                    await message.reply_text(f"Wissensbasis neu geladen / knowledge base reloaded: {count} articles.")
            return
        if command:
            await self._command(bot, message, case, *command)
        elif (message.text or "").startswith("!"):
            await self.cases.add_message(case.id, NOTE, message.text[1:].strip())
        elif case.status != OPEN:
            await message.reply_text("Der Fall ist nicht offen; /reopen öffnet ihn wieder. / The case is not open; "
                                     "/reopen opens it again.")
        else:
            reply_to = message.reply_to_message
            reply_ref = ref(self.chat_id, reply_to.message_id) if reply_to and reply_to.message_id != thread else None
            recorded = await self.cases.add_message(
                case.id, OUT, message.text or message.caption, kind=media_kind(message) or "text",
                source_ref=ref(self.chat_id, message.message_id), reply_to_ref=reply_ref,
            )
            if recorded is not None:
                self._first_response(case)
                await self.flush(bot, case.id)

    async def _command(self, bot, message: Message, case: Case, command: str, argument: str) -> None:
        advisor = message.from_user.first_name if message.from_user else "?"
        if command == "claim":
            await self.cases.claim(case.id, advisor)
            await self._rename(bot, case)
            await self._refresh_card(bot, case)
            await message.reply_text(f"Übernommen von / claimed by {advisor}.")
        elif command == "close" and case.status == OPEN:
            await self.cases.set_status(case.id, CLOSED)
            await self._rename(bot, case)
            await self._refresh_card(bot, case)
            closed = await self.cases.get(case.id)
            await self._tell_person(bot, closed, await self.handoff.closed(closed))
            await message.reply_text("Geschlossen; die Person wurde informiert / closed; the person was told.")
        elif command == "reopen" and case.status != OPEN:
            if await self.cases.open_for(case.person):
                await message.reply_text("Die Person hat schon einen offenen Fall / the person already has an open "
                                         "case.")
                return
            await self.cases.set_status(case.id, OPEN)
            await self._rename(bot, case)
            await self._refresh_card(bot, case)
            await self._tell_person(bot, case, await self.handoff.reopened(case))
            await message.reply_text("Wieder geöffnet / reopened.")
        elif command == "note":
            await self.cases.add_message(case.id, NOTE, argument)
        elif command == "lang":
            await message.reply_text(f"Sprache / Language: {cards.language_label(case.lang)}")
        elif command == "kb":
            await self._kb_choices(message, case, argument)
        elif command == "near":
            await self._near(bot, message, case, argument)
        else:
            await message.reply_text(cards.COMMANDS_HELP)

    async def _near(self, bot, message: Message, case: Case, place: str) -> None:
        """The local help finder for the person's place, sent to them in their language."""
        finder = self.guides.help_finder()
        area = finder.directory.area_named(place) if place.strip() else None
        if area is None:
            names = ", ".join(sorted(a.name for a in finder.directory.areas.values()))
            await message.reply_text(f"Ort nicht erkannt / place not recognised. Bekannt / known: {names}")
            return
        replies = finder.result(area.id, "general", case.lang)
        await self._tell_person(bot, case, replies)
        await self.cases.add_message(case.id, OUT, f"[near {area.id}]", kind="near", relayed=True)
        await message.reply_text(f"Anlaufstellen für {area.name} gesendet / contact points sent.")

    async def _tell_person(self, bot, case: Case, replies) -> None:
        try:
            await send_replies(bot, person_chat(case), replies, self.signer)
        except Forbidden:
            await self.people.set_blocked(case.person, True)
            await self._post(bot, case, "⚠️ Die Person hat den Bot blockiert / The person has blocked the bot.")

    async def _kb_choices(self, message: Message, case: Case, words: str) -> None:
        if not words.strip():
            await message.reply_text("Bitte Suchwörter angeben / please add search words: /kb Blaue Karte")
            return
        result = self.answerer.searcher.search(words)
        choices = [c.article for c in result.candidates[:MAX_KB_CHOICES]]
        if not choices:
            await message.reply_text("Nichts gefunden / nothing found.")
            return
        markup = InlineKeyboardMarkup([
            [InlineKeyboardButton(self.answerer.kb.articles[a].text("de").title,
                                  callback_data=self.signer.sign(f"{KB_ACTION}:{case.id}:{a}"))]
            for a in choices
        ])
        await message.reply_text(
            f"Artikel an die Person senden, auf {cards.language_label(case.lang)} / "
            "send an article to the person, in their language:",
            reply_markup=markup,
        )

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        action = self.signer.verify(query.data) or ""
        name, _, rest = action.partition(":")
        case_id, _, article = rest.partition(":")
        case = await self.cases.get(int(case_id)) if name == KB_ACTION and case_id.isdigit() else None
        if case is None or article not in self.answerer.kb.articles or case.status != OPEN:
            if query.message:
                await context.bot.send_message(self.chat_id, "Dieses Menü ist abgelaufen / this menu has expired.",
                                               message_thread_id=query.message.message_thread_id)
            return
        await self.cases.add_message(case.id, OUT, article, kind=ARTICLE_KIND, relayed=False)
        self._first_response(case)
        await self.flush(context.bot, case.id)
        title = self.answerer.kb.articles[article].text("de").title
        await self._post(context.bot, case, f"Artikel gesendet / article sent: {title}")

    def _first_response(self, case: Case) -> None:
        if case.first_response_at is None:
            waited = datetime.now(UTC) - cards.parse_time(case.created_at)
            self.metrics.first_response_seconds.observe(waited.total_seconds())

    # --- jobs ---------------------------------------------------------------------------------
    async def remind_waiting(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Announce cases still waiting for a first answer, once per interval each."""
        now = datetime.now(UTC)
        for case in await self.cases.open_cases():
            if case.first_response_at or now - cards.parse_time(case.created_at) < self.remind_after:
                continue
            if case.reminded_at and now - cards.parse_time(case.reminded_at) < self.remind_after:
                continue
            await context.bot.send_message(
                self.chat_id,
                f"⏰ Fall / case #{case.id} ({case.lang}, {case.topic or '-'}) wartet seit / waiting for "
                f"{cards.waited(case, now)} auf eine erste Antwort / for a first answer.",
            )
            await self.cases.remind(case.id)

    async def purge(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> int:
        """Delete closed cases older than the retention period."""
        cutoff = (datetime.now(UTC) - self.retention).isoformat(timespec="seconds")
        removed = await self.cases.purge_closed(cutoff)
        log.info("purged", extra={"fields": {"cases": removed}})
        return removed
