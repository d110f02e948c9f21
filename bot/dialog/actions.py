"""The actions behind buttons: short strings, readable in logs, within Telegram's 64 bytes.

Adapters sign them; the dialog treats every action as untrusted input and checks what it names.
"""
from __future__ import annotations

LANG = "lang"  # lang[:<code>]        choose the language (without a code: show the choice)
SWITCH = "switch"  # switch:<code>    keep answering in the language of the last message
AUDIENCE = "aud"  # aud:<audience>
MENU = "menu"  # menu[:<audience>]    the topic menu, for the person's or another audience
TOPIC = "topic"  # topic:<topic-id>   the articles of a topic
ARTICLE = "art"  # art:<article-id>
FEEDBACK = "fb"  # fb:<article-id>:1|0
ADVISOR = "adv"  # adv[:<topic-id>]    ask for a human advisor
CONSENT = "consent"  # consent:yes|no
CASE_TOPIC = "ctopic"  # ctopic:<topic-id>|-
DELETE = "delete"  # delete:yes|no
RATE = "rate"  # rate:<case>:1..5     rate an advisor's help after the case closed
ROUTE_FINDER = "rf"  # rf:<step>:<option> | rf:restart:-   the route finder's questionnaire
HELP_FINDER = "hf"  # hf:area:<id> | hf:need:<key> | hf:start:-   the local help finder
MAX_BYTES = 64


def make(name: str, *parts: str) -> str:
    return ":".join((name, *parts))


def parse(action: str) -> tuple[str, list[str]]:
    name, *parts = action.split(":")
    return name, parts
