"""The conversation, in plain data: no Telegram types here."""
