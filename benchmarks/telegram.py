"""End-to-end benchmark: 1,000 people write at once; how fast does the bot answer them all?

    .venv/bin/python benchmarks/telegram.py [--people 1000] [--rounds 3]

The bot runs as its own process (`python -m bot run`) pinned to one core, talking over loopback HTTP to the
fake Bot API of the test suite, which runs here on the other core. Telegram's own send limit (about 30
messages a second) is lifted for the measurement (RATE_LIMIT), so the bot's own capacity is what is measured.
It reports updates per second, the time from an update arriving at the fake API to the bot's first reply
(p50, p99), and the bot's peak memory. It measures; it does not judge.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.search.evaluation import load_labelled  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > core:
        os.sched_setaffinity(0, {core})


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(people: int) -> dict:
    pin(1)
    fake = FakeTelegram()
    await fake.start()
    data = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_PATH": str(data / "bot.sqlite3"),
        "SEARCH_CACHE_DIR": str(ROOT / "data" / "cache"),
        "RATE_LIMIT": "100000",
        "FLOOD_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
    }
    profile = ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] if os.environ.get("BENCH_PROFILE") else []
    bot = subprocess.Popen([sys.executable, *profile, "-m", "bot", "run"], env=env, cwd=ROOT,
                           preexec_fn=lambda: pin(0), stderr=subprocess.PIPE)
    try:
        while not fake.method_calls("getUpdates"):
            if bot.poll() is not None:
                raise RuntimeError(bot.stderr.read().decode()[-2000:])
            await asyncio.sleep(0.05)
        # Each person writes in the language their Telegram app is set to, as most people do.
        messages = [(i.text, i.lang) for i in load_labelled(ROOT / "tests" / "data" / "labelled")]
        for n in range(20):  # warm-up: imports, caches, database pages
            text, lang = messages[n % len(messages)]
            await fake.say(10_000_000 + n, text, language_code=lang)
        while len({s.chat_id for s in fake.sent}) < 20:
            await asyncio.sleep(0.05)
        fake.sent.clear()
        pushed: dict[int, float] = {}
        cpu_before = cpu_seconds(bot.pid)
        started = time.monotonic()
        for n in range(people):
            chat = 20_000_000 + n
            pushed[chat] = time.monotonic()
            text, lang = messages[n * 7 % len(messages)]  # a stride mixes languages and kinds of message
            await fake.say(chat, text, language_code=lang)
        first: dict[int, float] = {}
        seen = 0
        deadline = time.monotonic() + 300
        while len(first) < people and time.monotonic() < deadline:
            for sent in fake.sent[seen:]:
                if sent.chat_id in pushed and sent.chat_id not in first:
                    first[sent.chat_id] = sent.at
            seen = len(fake.sent)
            await asyncio.sleep(0.05)
        finished = max(first.values()) if first else time.monotonic()
        cpu = cpu_seconds(bot.pid) - cpu_before
        latencies = sorted((first[c] - pushed[c]) * 1000 for c in first)
        memory = peak_memory_mb(bot.pid)
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        await fake.stop()
    return {
        "people": people,
        "answered": len(latencies),
        "updates_per_s": len(latencies) / (finished - started),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "peak_mb": memory,
        "cpu_share": cpu / (finished - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="runs; the median run is reported")
    args = parser.parse_args()
    runs = sorted((asyncio.run(measure(args.people)) for _ in range(args.rounds)), key=lambda r: r["updates_per_s"])
    result = runs[len(runs) // 2]
    spread = f"{runs[0]['updates_per_s']:.0f}-{runs[-1]['updates_per_s']:.0f}"
    report = "\n".join([
        f"Telegram path benchmark ({time.strftime('%Y-%m-%d')}): {result['people']} people write at once; "
        f"bot pinned to one core, fake Bot API on another; median of {len(runs)} runs",
        "",
        "| answered | updates/s (range) | p50 update -> reply | p99 update -> reply | bot CPU use | bot peak memory |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {result['answered']} of {result['people']} | {result['updates_per_s']:.0f} ({spread}) | "
        f"{result['p50_ms']:.0f} ms | {result['p99_ms']:.0f} ms | {result['cpu_share']:.0%} of its core | "
        f"{result['peak_mb']:.0f} MB |",
    ])
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "telegram.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
