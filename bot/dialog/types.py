"""Plain data in and out of the dialog; adapters (Telegram, console, CLI) translate to and from it."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: wrote text, sent a command, pressed a button, or sent media."""

    person: str  # channel-scoped id, e.g. "tg:12345" or "console:local"
    text: str = ""
    command: str | None = None  # lowercase, without the slash
    argument: str = ""  # what followed the command, or a deep-link payload
    action: str | None = None  # the action of a pressed button
    lang_hint: str | None = None  # e.g. Telegram's language_code
    first_name: str | None = None
    media: str | None = None  # photo, voice, document, sticker, location, contact ...
    ref: str | None = None  # the channel's id of the message ("chat:message"), for relaying it
    reply_to: str | None = None  # the channel's id of the message it replies to
    location: tuple[float, float] | None = None  # a shared location (latitude, longitude)


@dataclass(frozen=True)
class Button:
    label: str
    action: str


@dataclass(frozen=True)
class Reply:
    """One message to the person. ``text`` is plain text; adapters add markup and escaping."""

    text: str
    lang: str
    title: str | None = None
    sources: tuple[str, ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The replies to one incoming event, and what the search made of it (for logs and ``ask``)."""

    replies: list[Reply]
    lang: str
    action: str  # answer | clarify | fallback | smalltalk | menu | command | relay | ...
    search: object | None = None  # bot.search.SearchResult when a question was searched
    events: list[dict] = field(default_factory=list)  # for adapters, e.g. a case was opened
