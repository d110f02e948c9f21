"""Replies as Telegram HTML: everything escaped, split below 4096 characters, buttons signed."""
from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.callbacks import CallbackSigner
from bot.dialog.render import compose, source_label
from bot.dialog.types import Reply
from bot.kb.checks import TELEGRAM_LIMIT, utf16_len

# Some room below Telegram's limit for the right-to-left marks added per line.
CHUNK_LIMIT = TELEGRAM_LIMIT - 96


def _link(url: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(source_label(url))}</a>'


def to_html(reply: Reply) -> str:
    return compose(reply, escape=lambda s: html.escape(s, quote=False), bold=lambda s: f"<b>{s}</b>", link=_link)


def split_html(text: str, limit: int = CHUNK_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries, never inside a tag or an entity.

    Markup only ever spans one line (a bold title, one link per line), so line boundaries are safe.
    """
    if utf16_len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = f"{current}\n{piece}" if current else piece
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()]


def _pieces(text: str, limit: int) -> list[str]:
    """Lines of ``text``; a line longer than ``limit`` is cut at spaces."""
    pieces: list[str] = []
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            if cut <= 0:
                cut = limit
                entity = line.rfind("&", 0, cut)
                if entity > 0 and ";" not in line[entity:cut]:
                    cut = entity
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        pieces.append(line)
    return pieces


def keyboard(reply: Reply, signer: CallbackSigner) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=signer.sign(b.action)) for b in row] for row in reply.buttons]
    )
