"""Settings from the environment (and an optional ``.env`` file), checked once at start.

A configuration error stops the process with one line per problem saying what to fix.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from bot.handoff.hours import OfficeHours

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Config:
    bot_token: str | None
    advisor_chat_id: int | None
    database_path: Path
    knowledge_dir: Path
    locales_dir: Path
    telegram_api_url: str
    log_level: str
    cache_dir: Path | None = None
    callback_secret: str | None = None
    flood_limit: int = 20
    rate_limit: float = 30.0
    concurrent_updates: int = 16
    typing_delay: float = 0.5
    office_hours: str = "mon-fri 09:00-16:00"
    remind_after_minutes: int = 120
    reminder_interval_minutes: int = 15
    retention_days: int = 180
    bot_mode: str = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int | None = None
    web_host: str = "0.0.0.0"


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a ``.env`` file; comments and blank lines are skipped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        values[name.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def load_config(env: dict[str, str] | None = None, env_file: Path | None = None) -> Config:
    """The configuration; the process environment wins over the ``.env`` file."""
    if env is None:
        env = {**read_env_file(env_file or PROJECT_ROOT / ".env"), **os.environ}
    problems: list[str] = []
    token = env.get("BOT_TOKEN", "").strip() or None
    if token and (":" not in token or not token.split(":", 1)[0].isdigit()):
        problems.append("BOT_TOKEN does not look like a token from @BotFather (digits:letters)")
    advisor_raw = env.get("ADVISOR_CHAT_ID", "").strip()
    advisor = None
    if advisor_raw:
        try:
            advisor = int(advisor_raw)
        except ValueError:
            problems.append("ADVISOR_CHAT_ID must be the numeric id of the advisors' group, e.g. -1001234567890")
    api_url = env.get("TELEGRAM_API_URL", "").strip().rstrip("/") or "https://api.telegram.org"
    if not api_url.startswith(("https://", "http://")):
        problems.append("TELEGRAM_API_URL must start with https:// (or http:// for a local Bot API server)")
    level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    numbers = {}
    for name, default, low in (("FLOOD_LIMIT", 20, 1), ("RATE_LIMIT", 30, 1), ("CONCURRENT_UPDATES", 16, 1),
        ("REMIND_AFTER_MINUTES", 120, 1), ("REMINDER_INTERVAL_MINUTES", 15, 1), ("RETENTION_DAYS", 180, 1),):
        raw = env.get(name, "").strip() or str(default)
        try:
            numbers[name] = int(raw)
            if numbers[name] < low:
                raise ValueError
        except ValueError:
            problems.append(f"{name} must be a whole number of at least {low}, got {raw!r}")
    typing_raw = env.get("TYPING_DELAY", "").strip() or "0.5"
    try:
        typing_delay = float(typing_raw)
        if not 0 <= typing_delay <= 10:
            raise ValueError
    except ValueError:
        problems.append(f"TYPING_DELAY must be seconds between 0 and 10, got {typing_raw!r}")
        typing_delay = 0.5
    office_hours = env.get("OFFICE_HOURS", "").strip() or "mon-fri 09:00-16:00"
    try:
        OfficeHours.parse(office_hours)
    except ValueError as exc:
        problems.append(str(exc))
    mode = env.get("BOT_MODE", "").strip().lower() or "polling"
    webhook_url = env.get("WEBHOOK_URL", "").strip().rstrip("/") or None
    webhook_secret = env.get("WEBHOOK_SECRET", "").strip() or None
    port_raw = env.get("PORT", "").strip()
    port = None
    if port_raw:
        if port_raw.isdigit() and 0 < int(port_raw) < 65536:
            port = int(port_raw)
        else:
            problems.append(f"PORT must be a port number (1-65535), got {port_raw!r}")
    if mode not in ("polling", "webhook"):
        problems.append("BOT_MODE must be polling or webhook")
    elif mode == "webhook":
        loopback = (webhook_url or "").startswith(("http://127.0.0.1", "http://localhost"))
        if not webhook_url or not (webhook_url.startswith("https://") or loopback):
            problems.append("BOT_MODE=webhook needs WEBHOOK_URL, the bot's public https address")
        if not webhook_secret or not SECRET_PATTERN.match(webhook_secret):
            problems.append("BOT_MODE=webhook needs WEBHOOK_SECRET: 1-256 characters A-Z, a-z, 0-9, _ and -")
        if not port_raw:
            problems.append("BOT_MODE=webhook needs PORT, where the bot listens for Telegram")
    knowledge = Path(env.get("KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge")
    if not (knowledge / "topics.yaml").is_file():
        problems.append(f"KNOWLEDGE_DIR {knowledge} holds no topics.yaml: point it at the knowledge folder")
    if problems:
        raise ConfigError(problems)
    database_path = Path(env.get("DATABASE_PATH") or PROJECT_ROOT / "data" / "bot.sqlite3")
    return Config(
        bot_token=token,
        advisor_chat_id=advisor,
        database_path=database_path,
        cache_dir=Path(env["SEARCH_CACHE_DIR"]) if env.get("SEARCH_CACHE_DIR") else database_path.parent / "cache",
        knowledge_dir=knowledge,
        locales_dir=Path(env.get("LOCALES_DIR") or PROJECT_ROOT / "locales"),
        telegram_api_url=api_url,
        log_level=level,
        callback_secret=env.get("CALLBACK_SECRET") or None,
        flood_limit=numbers["FLOOD_LIMIT"],
        rate_limit=float(numbers["RATE_LIMIT"]),
        concurrent_updates=numbers["CONCURRENT_UPDATES"],
        typing_delay=typing_delay,
        office_hours=office_hours,
        remind_after_minutes=numbers["REMIND_AFTER_MINUTES"],
        reminder_interval_minutes=numbers["REMINDER_INTERVAL_MINUTES"],
        retention_days=numbers["RETENTION_DAYS"],
        bot_mode=mode,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        port=port,
        web_host=env.get("WEB_HOST", "").strip() or "0.0.0.0",
    )
