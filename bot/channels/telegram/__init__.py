"""The dialog on Telegram, with python-telegram-bot's async Application."""
