"""Running the real bot against the fake Bot API inside a test's event loop."""
from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

from bot.channels.telegram.app import serve
from bot.config import Config, load_config
from bot.dialog.answers import Answerer
from tests.fake_telegram import FakeTelegram


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


def bot_config(fake: FakeTelegram, tmp_path: Path, **env: str) -> Config:
    values = {
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "LOG_LEVEL": "INFO",
        "WEB_HOST": "127.0.0.1",
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
    # The bot is up once it asked for updates (polling) or set its webhook and listens.
    for _ in range(1000):
        if any(name in ("getUpdates", "setWebhook") for name, _ in fake.calls) or task.done():
            break
        await asyncio.sleep(0.01)
    if config.port:
        await wait_for_port(config.port)
    if task.done():
        task.result()
    try:
        yield config
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
