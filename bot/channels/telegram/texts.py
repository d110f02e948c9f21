"""What only Telegram shows: the command menu, the bot's descriptions, and notices of the adapter."""
from __future__ import annotations

from bot.i18n import N_, translator

# The command menu for private chats: (command, description), in the order people see it.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start and choose language")),
    ("topics", N_("Browse all topics")),
    ("advisor", N_("Talk to a human advisor")),
    ("check", N_("Which route fits me?")),
    ("nearby", N_("Help near me")),
    ("language", N_("Change the language")),
    ("status", N_("Your request to an advisor")),
    ("help", N_("How this assistant works")),
    ("mydata", N_("See the data stored about you")),
    ("delete", N_("Delete your data")),
)
DESCRIPTION = N_(
    "Questions about training, work and life in Sachsen-Anhalt (Germany)? This assistant answers in your "
    "language, with official sources, for people coming from abroad and for employers. It follows the quality "
    "standards of the Fachkräftesicherungspakt Sachsen-Anhalt and connects you with human advisors. "
    "General information, not legal advice."
)
SHORT_DESCRIPTION = N_("Training, work and life in Sachsen-Anhalt: answers in 8 languages, and human advisors.")
GROUP_POINTER = N_("I answer questions in a private chat, so that your questions stay private. Tap here:")
OPEN_PRIVATE = N_("Open a private chat")
FLOOD_NOTICE = N_("You are sending messages very fast. Please wait a minute, then I'll answer again.")
APOLOGY = N_("Sorry, something went wrong on my side. Please try again in a moment.")
EXPORT_CAPTION = N_("Everything stored about you, as a JSON file.")


def text(message: str, lang: str) -> str:
    return translator(lang)(message)
