"""Handlers for people in private chats: Telegram updates in, dialog replies out."""
from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import time
import weakref

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.channels.telegram import texts
from bot.channels.telegram.callbacks import CallbackSigner
from bot.channels.telegram.flood import DROP, NOTICE, FloodGuard
from bot.channels.telegram.render import keyboard, split_html, to_html
from bot.dialog.types import Incoming, Outcome, Reply
from bot.i18n import DEFAULT_LANGUAGE, negotiate
from bot.metrics import Metrics
from bot.store.people import People

log = logging.getLogger("bot.updates")
errors_log = logging.getLogger("bot.errors")
EXPIRED_ACTION = "expired"
MEDIA_KINDS = (
    "photo", "voice", "audio", "video", "video_note", "document", "sticker", "animation",
    "location", "venue", "contact", "poll", "dice",
)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def person_key(chat_id: int) -> str:
    return f"tg:{chat_id}"


def media_kind(message: Message) -> str | None:
    return next((kind for kind in MEDIA_KINDS if getattr(message, kind, None)), None)


def parse_command(text: str) -> tuple[str, str] | None:
    """("start", "employer") from "/start@our_bot employer"; None when ``text`` is no command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, argument = text[1:].partition(" ")
    command = head.split("@", 1)[0].lower()
    return (command, argument.strip()) if command else None


async def send_replies(bot, chat_id: int, replies: list[Reply], signer: CallbackSigner) -> list[Message]:
    """Send replies as HTML messages, split below Telegram's limit, buttons under the last piece."""
    sent = []
    for reply in replies:
        chunks = split_html(to_html(reply))
        markup = keyboard(reply, signer)
        for number, chunk in enumerate(chunks, start=1):
            sent.append(
                await bot.send_message(
                    chat_id,
                    chunk,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=markup if number == len(chunks) else None,
                )
            )
    return sent


class PrivateFront:
    """Everything a person in a private chat experiences, minus the dialog's own decisions."""

    def __init__(
        self,
        dialog,
        people: People,
        signer: CallbackSigner,
        flood: FloodGuard,
        typing_delay: float = 0.5,
        desk=None,
        metrics: Metrics | None = None,
    ) -> None:
        self.desk = desk  # the advisors' desk, when an advisors' group is configured
        self.metrics = metrics or Metrics()
        self.dialog = dialog
        self.people = people
        self.signer = signer
        self.flood = flood
        self.typing_delay = typing_delay
        # One lock per chat keeps a person's updates in order; unused locks vanish with their last user.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    # --- entry points ----------------------------------------------------------------------
    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or update.effective_chat is None:
            return
        chat_id = update.effective_chat.id
        answered = message.reply_to_message
        base = {
            "person": person_key(chat_id),
            "lang_hint": user.language_code,
            "first_name": user.first_name,
            "ref": f"{chat_id}:{message.message_id}",
            "reply_to": f"{chat_id}:{answered.message_id}" if answered else None,
        }
        text = message.text or ""
        command = parse_command(text) if message.text else None
        if command:
            incoming = Incoming(command=command[0], argument=command[1], **base)
            kind = "command"
        elif message.text:
            incoming = Incoming(text=text, **base)
            kind = "edited" if update.edited_message else "text"
        else:
            kind = media_kind(message) or "other"
            where = message.location
            location = (where.latitude, where.longitude) if where else None
            incoming = Incoming(media=kind, text=message.caption or "", location=location, **base)
        await self._serve(update, context, chat_id, incoming, kind)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.message is None or update.effective_chat is None:
            return
        await query.answer()
        action = self.signer.verify(query.data) or EXPIRED_ACTION
        chat_id = update.effective_chat.id
        user = update.effective_user
        incoming = Incoming(
            person=person_key(chat_id),
            action=action,
            lang_hint=user.language_code if user else None,
            first_name=user.first_name if user else None,
        )
        await self._serve(update, context, chat_id, incoming, "button")

    # --- the path of one update ---------------------------------------------------------------
    async def _serve(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int, incoming: Incoming, kind: str
    ) -> None:
        started = time.perf_counter()
        lang, action = None, "error"
        try:
            verdict = self.flood.check(incoming.person)
            if verdict == DROP:
                lang, action = None, "flood-silent"
                return
            async with self._lock(chat_id):
                if verdict == NOTICE:
                    lang, action = negotiate(incoming.lang_hint) or DEFAULT_LANGUAGE, "flood-notice"
                    await self._send(context, chat_id, [Reply(texts.text(texts.FLOOD_NOTICE, lang), lang)])
                    return
                typing = None
                if incoming.text and kind in ("text", "edited"):
                    typing = asyncio.create_task(self._typing(context, chat_id))
                try:
                    outcome = await self.dialog.handle(incoming)
                finally:
                    if typing is not None:
                        typing.cancel()
                lang, action = outcome.lang, outcome.action
                await self._deliver(context, chat_id, outcome)
        except Forbidden:
            action = "blocked"
            await self.people.set_blocked(incoming.person, True)
        finally:
            self.metrics.updates.labels(kind).inc()
            if lang is not None:
                self.metrics.answers.labels(action, lang).inc()
            log.info(
                "update",
                extra={
                    "fields": {
                        "update_id": update.update_id,
                        "kind": kind,
                        "lang": lang,
                        "action": action,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )

    async def _typing(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
        """Show "typing..." when an answer takes long enough for a person to notice the wait."""
        await asyncio.sleep(self.typing_delay)
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def _deliver(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, outcome: Outcome) -> None:
        await self._send(context, chat_id, outcome.replies)
        if self.desk is not None and outcome.events:
            await self.desk.on_events(context.bot, outcome.events)
        for event in outcome.events:
            if event.get("type") == "export":
                payload = json.dumps(event["data"], ensure_ascii=False, indent=2).encode("utf-8")
                await context.bot.send_document(
                    chat_id,
                    document=io.BytesIO(payload),
                    filename="my-data.json",
                    caption=texts.text(texts.EXPORT_CAPTION, outcome.lang),
                )

    async def _send(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply]) -> None:
        await send_replies(context.bot, chat_id, replies, self.signer)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed without anything the person wrote, and apologise instead of falling silent."""
        error = context.error
        frames = []
        tb = error.__traceback__ if error else None
        while tb is not None:
            frames.append(f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}")
            tb = tb.tb_next
        detail = str(error) if isinstance(error, TelegramError) else ""
        self.metrics.errors.inc()
        errors_log.error(
            "error",
            extra={"fields": {"error": type(error).__name__, "detail": detail[:200], "at": " < ".join(frames[-4:])}},
        )
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.effective_chat.type != ChatType.PRIVATE:
            return
        user = update.effective_user
        lang = negotiate(user.language_code if user else None) or DEFAULT_LANGUAGE
        try:
            lang = (await self.people.get(person_key(update.effective_chat.id))).lang or lang
        except Exception:  # the database may be what failed; the apology must still go out
            errors_log.warning("apology without stored language")
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, texts.text(texts.APOLOGY, lang))


class GroupFront:
    """Outside private chats (and outside the advisors' group) the bot only points to a private chat."""

    def __init__(self, bot_username: str | None = None) -> None:
        self.bot_username = bot_username

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.text is None or update.effective_chat is None:
            return
        command = parse_command(message.text)
        if update.effective_chat.type == ChatType.PRIVATE or not command:
            return
        if command[0] == "chatid":  # for setting up ADVISOR_CHAT_ID; a group's own id is no secret to it
            await message.reply_text(f"ADVISOR_CHAT_ID={update.effective_chat.id}")
            return
        if command[0] != "start":
            return
        user = update.effective_user
        lang = negotiate(user.language_code if user else None) or DEFAULT_LANGUAGE
        username = self.bot_username or context.bot.username
        await message.reply_text(
            texts.text(texts.GROUP_POINTER, lang),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(texts.text(texts.OPEN_PRIVATE, lang), url=f"https://t.me/{username}?start=")]]
            ),
        )
