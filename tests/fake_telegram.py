"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests of the real HTTP path.

It speaks the Bot API's JSON over HTTP for the methods the bot uses, keeps what the bot sent per chat,
hands out updates through getUpdates (long polling) or delivers them to a webhook, and answers like
Telegram does when things go wrong: 400 for HTML it cannot parse or text that is too long, 403 when a
person blocked the bot, 429 with retry_after when asked to simulate a flood.
"""
from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

TOKEN = "123456789:TEST-token-for-the-fake-api"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Advisor Bot", "username": "lsa_advisor_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                "blockquote", "span"}
MAX_TEXT = 4096


class _TelegramHTML(HTMLParser):
    """Parses like Telegram: only its tags, balanced, and the visible text's length counted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f"can't parse entities: unsupported start tag \"{tag}\""
        if tag == "a" and not dict(attrs).get("href"):
            self.error = "can't parse entities: a tag without href"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = f"can't parse entities: can't find end tag corresponding to start tag \"{tag}\""

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def check_html(text: str) -> tuple[str | None, str]:
    """(error or None, the visible text) for a message sent with parse_mode HTML."""
    for pos, ch in enumerate(text):
        if ch == "&":
            end = text.find(";", pos)
            entity = text[pos : end + 1] if end != -1 else ""
            if not entity or html.unescape(entity) == entity:
                return "can't parse entities: unsupported entity or stray '&'", ""
        if ch == "<" and not (text[pos + 1 : pos + 2].isalpha() or text[pos + 1 : pos + 2] == "/"):
            return "can't parse entities: unexpected '<'", ""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.stack:
        parser.error = f"can't parse entities: unclosed tag \"{parser.stack[-1]}\""
    return parser.error, "".join(parser.visible)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Sent:
    method: str
    chat_id: int
    params: dict[str, Any]
    message_id: int
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data") or b.get("url", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def button(self, label_part: str) -> str:
        """The callback data of the first button whose label contains ``label_part``."""
        for label, data in self.buttons:
            if label_part in label:
                return data
        raise AssertionError(f"no button with {label_part!r} in {[label for label, _ in self.buttons]}")


class FakeTelegram:
    def __init__(self) -> None:
        self.token = TOKEN
        self.calls: list[tuple[str, dict]] = []
        self.sent: list[Sent] = []
        self.blocked: set[int] = set()
        self.deleted_topics: set[tuple[int, int]] = set()
        self.failures: dict[str, list[tuple[int, str, dict]]] = {}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._topic_ids = itertools.count(500)
        self._new = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.webhook: dict | None = None
        self.commands: dict[str | None, list] = {}
        self.descriptions: dict[str | None, str] = {}
        self.short_descriptions: dict[str | None, str] = {}
        self.documents: list[tuple[int, bytes, dict]] = []
        self.edits: list[dict] = []

    # --- server -------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        async with self._new:
            self._new.notify_all()
        if self._runner:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if hasattr(value, "file"):
                params[key] = {"filename": value.filename, "content": value.file.read()}
                continue
            try:
                params[key] = json.loads(value)
            except (TypeError, ValueError):
                params[key] = value
            if isinstance(params[key], (int, float)) and key in ("text", "caption"):
                params[key] = str(value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        planned = self.failures.get(method)
        if planned:
            code, description, extra = planned.pop(0)
            return self._error(code, description, extra)
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return self._error(404, f"Not Found: method {method} is not faked")
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, extra: dict | None = None) -> web.Response:
        body = {"ok": False, "error_code": code, "description": description}
        if extra:
            body["parameters"] = extra
        return web.json_response(body, status=code)

    def fail_next(self, method: str, times: int, code: int = 429, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with an error (429 by default)."""
        description = f"Too Many Requests: retry after {retry_after}" if code == 429 else "Bad Request"
        extra = {"retry_after": retry_after} if code == 429 else {}
        self.failures.setdefault(method, []).extend([(code, description, extra)] * times)

    # --- methods ------------------------------------------------------------------------------
    def api_getMe(self, params: dict) -> dict:
        return BOT_USER

    def api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = None
        return True

    def api_setWebhook(self, params: dict) -> bool:
        self.webhook = params
        return True

    def api_getWebhookInfo(self, params: dict) -> dict:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    def api_setMyCommands(self, params: dict) -> bool:
        self.commands[params.get("language_code")] = params["commands"]
        return True

    def api_setMyDescription(self, params: dict) -> bool:
        self.descriptions[params.get("language_code")] = params.get("description", "")
        return True

    def api_setMyShortDescription(self, params: dict) -> bool:
        self.short_descriptions[params.get("language_code")] = params.get("short_description", "")
        return True

    def api_answerCallbackQuery(self, params: dict) -> bool:
        return True

    def api_sendChatAction(self, params: dict) -> bool | web.Response:
        if int(params["chat_id"]) in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        return True

    def _message(self, chat_id: int, extra: dict) -> dict:
        message_id = next(self._message_ids)
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER, **extra}

    def _deliverable(self, params: dict) -> web.Response | None:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        thread = params.get("message_thread_id")
        if thread is not None and (chat_id, int(thread)) in self.deleted_topics:
            return self._error(400, "Bad Request: message thread not found")
        return None

    def api_sendMessage(self, params: dict) -> dict | web.Response:
        if (refused := self._deliverable(params)) is not None:
            return refused
        text = str(params.get("text", ""))
        visible = text
        if params.get("parse_mode") == "HTML":
            error, visible = check_html(text)
            if error:
                return self._error(400, f"Bad Request: {error}")
        if not visible.strip():
            return self._error(400, "Bad Request: message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            return self._error(400, "Bad Request: message is too long")
        for _label, data in Sent("", 0, params, 0).buttons:
            if data and len(data.encode()) > 64 and not data.startswith("http"):
                return self._error(400, "Bad Request: BUTTON_DATA_INVALID")
        message = self._message(int(params["chat_id"]), {"text": visible})
        self.sent.append(Sent("sendMessage", int(params["chat_id"]), params, message["message_id"]))
        return message

    def api_sendDocument(self, params: dict) -> dict | web.Response:
        if (refused := self._deliverable(params)) is not None:
            return refused
        document = params.get("document") or {}
        content = document.get("content", b"") if isinstance(document, dict) else b""
        message = self._message(int(params["chat_id"]), {"document": {"file_id": "doc", "file_unique_id": "doc"}})
        self.documents.append((int(params["chat_id"]), content, params))
        self.sent.append(Sent("sendDocument", int(params["chat_id"]), params, message["message_id"]))
        return message

    def api_copyMessage(self, params: dict) -> dict | web.Response:
        if (refused := self._deliverable(params)) is not None:
            return refused
        message_id = next(self._message_ids)
        self.sent.append(Sent("copyMessage", int(params["chat_id"]), params, message_id))
        return {"message_id": message_id}

    def api_editMessageText(self, params: dict) -> dict | web.Response:
        if params.get("parse_mode") == "HTML" and (error := check_html(str(params.get("text", "")))[0]):
            return self._error(400, f"Bad Request: {error}")
        self.edits.append(params)
        chat = {"id": int(params["chat_id"]), "type": "supergroup"}
        return {"message_id": int(params["message_id"]), "date": int(time.time()), "chat": chat,
                "text": params.get("text", "")}

    def api_createForumTopic(self, params: dict) -> dict:
        thread = next(self._topic_ids)
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    def api_editForumTopic(self, params: dict) -> bool | web.Response:
        if (int(params["chat_id"]), int(params["message_thread_id"])) in self.deleted_topics:
            return self._error(400, "Bad Request: TOPIC_ID_INVALID")
        return True

    def api_closeForumTopic(self, params: dict) -> bool:
        return True

    def api_reopenForumTopic(self, params: dict) -> bool:
        return True

    async def api_getUpdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 2.0)
        async with self._new:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or time.monotonic() >= deadline:
                    return self._updates[:100]
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._new.wait(), deadline - time.monotonic())

    # --- what people do -----------------------------------------------------------------------
    def _user(self, chat_id: int, language_code: str | None, first_name: str) -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    async def push(self, update: dict) -> dict:
        update = {"update_id": next(self._update_ids), **update}
        if self.webhook:
            await self._post_webhook(update)
            return update
        async with self._new:
            self._updates.append(update)
            self._new.notify_all()
        return update

    async def _post_webhook(self, update: dict) -> None:
        import aiohttp

        headers = {}
        if self.webhook and self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        async with aiohttp.ClientSession() as session:
            await session.post(self.webhook["url"], json=update, headers=headers)

    def _incoming(self, chat_id: int, language_code: str | None, first_name: str, extra: dict,
                  chat_type: str = "private", thread: int | None = None, user_id: int | None = None,
                  reply_to: int | None = None) -> dict:
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Group"
            chat["is_forum"] = True
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                   "from": self._user(user_id or (chat_id if chat_type == "private" else abs(chat_id) % 10**6 + 7),
                                      language_code, first_name), **extra}
        if reply_to is not None:
            message["reply_to_message"] = {"message_id": reply_to, "date": int(time.time()), "chat": chat}
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        return message

    async def say(self, chat_id: int, text: str, language_code: str | None = "en", first_name: str = "Anna",
                  edited: bool = False, **chat) -> dict:
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = self._incoming(chat_id, language_code, first_name, extra, **chat)
        if edited:
            message["edit_date"] = int(time.time())
            return await self.push({"edited_message": message})
        return await self.push({"message": message})

    async def send_media(self, chat_id: int, kind: str, language_code: str | None = "en", caption: str = "",
                         **chat) -> dict:
        payloads = {
            "photo": [{"file_id": "photo1", "file_unique_id": "p1", "width": 90, "height": 90}],
            "voice": {"file_id": "voice1", "file_unique_id": "v1", "duration": 3},
            "document": {"file_id": "doc1", "file_unique_id": "d1", "file_name": "cv.pdf"},
            "sticker": {"file_id": "st1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512,
                        "is_animated": False, "is_video": False},
            "location": {"latitude": 51.48, "longitude": 11.97},
            "contact": {"phone_number": "+49000000", "first_name": "Someone"},
        }
        extra: dict[str, Any] = {kind: payloads[kind]}
        if caption:
            extra["caption"] = caption
        name = chat.pop("first_name", "Anna")
        return await self.push({"message": self._incoming(chat_id, language_code, name, extra, **chat)})

    async def press(self, chat_id: int, data: str, language_code: str | None = "en", message_id: int = 1,
                    chat_type: str = "private", thread: int | None = None, user_id: int | None = None) -> dict:
        message = {"message_id": message_id, "date": int(time.time()), "chat": {"id": chat_id, "type": chat_type},
                   "from": BOT_USER, "text": "menu"}
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        query = {
            "id": str(next(self._update_ids) * 7),
            "from": self._user(user_id or chat_id, language_code, "Anna"),
            "chat_instance": str(chat_id),
            "data": data,
            "message": message,
        }
        return await self.push({"callback_query": query})

    # --- what tests look at -------------------------------------------------------------------
    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    async def wait_for(self, chat_id: int, count: int, timeout: float = 10.0) -> list[Sent]:
        """The first ``count`` messages sent to ``chat_id``, waiting for them if needed."""
        deadline = time.monotonic() + timeout
        while len(self.to(chat_id)) < count:
            if time.monotonic() > deadline:
                got = [s.text[:60] for s in self.to(chat_id)]
                raise AssertionError(f"expected {count} messages to {chat_id}, got {len(got)}: {got}")
            await asyncio.sleep(0.01)
        return self.to(chat_id)[:count]

    async def next_messages(self, chat_id: int, after: int, count: int = 1, timeout: float = 10.0) -> list[Sent]:
        """Messages number ``after``+1 .. ``after``+``count`` to ``chat_id``."""
        sent = await self.wait_for(chat_id, after + count, timeout)
        return sent[after : after + count]

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until the bot has sent nothing for ``quiet`` seconds."""
        last = -1
        while last != len(self.calls):
            last = len(self.calls)
            await asyncio.sleep(quiet)

    def method_calls(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]
