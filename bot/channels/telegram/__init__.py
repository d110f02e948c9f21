"""The dialog on Telegram, with python-telegram-bot's async Application."""
import os

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta) and silence its warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")
