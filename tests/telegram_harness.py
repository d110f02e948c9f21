"""Running the real bot against the fake Bot API inside a test's event loop."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from bot.channels.telegram.app import serve
from bot.config import Config, load_config
from bot.dialog.answers import Answerer
from tests.fake_telegram import FakeTelegram


def bot_config(fake: FakeTelegram, tmp_path: Path, **env: str) -> Config:
    values = {
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "LOG_LEVEL": "INFO",
    }
    values.update(env)
    return load_config(env=values)


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeTelegram, tmp_path: Path, answerer: Answerer | None = None, **env: str
) -> AsyncIterator[Config]:
    config = bot_config(fake, tmp_path, **env)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(config, stop, answerer))
    # The bot is up once it asked for updates.
    for _ in range(500):
        if any(name == "getUpdates" for name, _ in fake.calls) or task.done():
            break
        await asyncio.sleep(0.01)
    if task.done():
        task.result()
    try:
        yield config
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
