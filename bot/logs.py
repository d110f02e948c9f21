"""Structured logs: one JSON object per line, with no message texts, names or phone numbers.

Callers pass only what is safe to keep in ``extra={"fields": {...}}``; the HTTP client's own request
logs are kept quiet because their URLs contain the bot token.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


NOISY = ("httpx", "httpcore", "aiohttp", "apscheduler")


def quiet_http_logs() -> None:
    """The HTTP client logs every request URL, and Bot API URLs contain the token."""
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_http_logs()
