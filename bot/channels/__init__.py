"""Adapters that carry the dialog to people: the console and Telegram."""
