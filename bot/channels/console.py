"""The dialog in a terminal, for trying the assistant without a Telegram token.

Buttons become numbered choices; type the number to press one. Ctrl-D or /quit ends the chat.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import TextIO

from bot.dialog.render import plain
from bot.dialog.types import Incoming, Outcome
from bot.i18n import negotiate, translator

PERSON = "console:local"


def parse_line(line: str, choices: dict[str, str], hint: str | None) -> Incoming | None:
    """What a typed line means: a numbered choice, a /command with its argument, or a message."""
    text = line.strip()
    if not text:
        return None
    if text in choices:
        return Incoming(PERSON, action=choices[text], lang_hint=hint)
    if text.startswith("/") and len(text) > 1:
        command, _, argument = text[1:].partition(" ")
        return Incoming(PERSON, command=command.lower(), argument=argument.strip(), lang_hint=hint)
    return Incoming(PERSON, text=text, lang_hint=hint, first_name=os.environ.get("USER"))


def show(outcome: Outcome, out: TextIO) -> dict[str, str]:
    """Print the replies; returns the numbered choices of their buttons."""
    choices: dict[str, str] = {}
    for reply in outcome.replies:
        print(plain(reply), file=out)
        for row in reply.buttons:
            for button in row:
                number = str(len(choices) + 1)
                choices[number] = button.action
                print(f"  [{number}] {button.label}", file=out)
        print(file=out)
    for event in outcome.events:
        if event.get("type") == "export":
            print(json.dumps(event["data"], ensure_ascii=False, indent=2), file=out)
    return choices


async def chat(dialog, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    hint = negotiate((os.environ.get("LANG") or "").split(".")[0])
    print("Console chat. Type your question, a number to choose, /help for commands, /quit to leave.\n", file=out)
    outcome = await dialog.handle(Incoming(PERSON, command="start", lang_hint=hint))
    choices, lang = show(outcome, out), outcome.lang
    while True:
        if out is sys.stdout:
            print("> ", end="", file=out, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip() in ("/quit", "/exit"):
            break
        incoming = parse_line(line, choices, hint)
        if incoming is not None and incoming.text.isdigit() and choices:
            _ = translator(lang)
            hint_text = _("Please type a number from 1 to {count}, or write your question.")
            print(hint_text.format(count=len(choices)), file=out)
            print(file=out)
        elif incoming is not None:
            outcome = await dialog.handle(incoming)
            choices, lang = show(outcome, out) or choices, outcome.lang
