"""How a reply reads: one layout for every channel, with the channel's own markup plugged in."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from bot.dialog.types import Reply
from bot.i18n import bidi, translator


def source_label(url: str) -> str:
    """A short, recognisable name for a link: its host without "www."."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def compose(
    reply: Reply,
    escape: Callable[[str], str] = str,
    bold: Callable[[str], str] = str,
    link: Callable[[str], str] = str,
) -> str:
    """Title, text and sources; ``escape``/``bold``/``link`` add the channel's markup."""
    _ = translator(reply.lang)
    parts = []
    if reply.title:
        parts.append(bold(escape(reply.title)))
    if reply.text:
        parts.append(escape(reply.text))
    if reply.sources:
        heading = escape(_("Official sources:"))
        parts.append(heading + "\n" + "\n".join("• " + link(url) for url in reply.sources))
    return bidi("\n\n".join(parts), reply.lang)


def plain(reply: Reply) -> str:
    """The reply as plain text, as the console and ``ask`` show it."""
    return compose(reply)
