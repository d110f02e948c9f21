"""Running it for real: webhook mode, health and metrics, graceful stop, reports, reload, backups, the image."""
from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.app import build_core, reload_knowledge
from bot.config import PROJECT_ROOT, load_config
from bot.store.backup import backup
from bot.store.cases import Cases
from bot.store.db import open_database
from bot.store.insights import Insights
from tests.fake_telegram import FakeTelegram
from tests.telegram_harness import free_port, running_bot, wait_for_port

pytestmark = pytest.mark.slow


async def test_webhook_mode_end_to_end_and_a_wrong_secret_is_refused(fake, tmp_path, answerer):
    port = free_port()
    env = {"BOT_MODE": "webhook", "WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_SECRET": "s3cret-Token",
           "PORT": str(port)}
    async with running_bot(fake, tmp_path, answerer, **env):
        assert fake.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
        assert fake.webhook["secret_token"] == "s3cret-Token"
        await fake.say(8001, "/start", language_code="de")
        welcome, _ = await fake.wait_for(8001, 2)
        assert welcome.text.startswith("Willkommen")
        async with aiohttp.ClientSession() as session:
            update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "hallo",
                                                    "chat": {"id": 8002, "type": "private"}}}
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(f"http://127.0.0.1:{port}/telegram", json=update, headers=headers) as r:
                    assert r.status == 403
        await fake.settle(0.2)
        assert fake.to(8002) == []


async def test_healthz_turns_503_when_the_database_is_gone(fake, tmp_path, answerer):
    port = free_port()
    async with running_bot(fake, tmp_path, answerer, PORT=str(port)), aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
            assert r.status == 200 and (await r.json())["articles"] == len(answerer.kb.articles)
        (tmp_path / "bot.sqlite3").unlink()
        async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
            assert r.status == 503 and (await r.json())["database"] is False


async def test_metrics_count_updates_answers_and_cases(fake, tmp_path, answerer):
    port = free_port()
    async with running_bot(fake, tmp_path, answerer, PORT=str(port)):
        await fake.say(8101, "Wie hoch ist das Mindestgehalt für die Blaue Karte 2026?", language_code="de")
        await fake.say(8102, "/help", language_code="en")
        await fake.wait_for(8101, 1)
        await fake.wait_for(8102, 1)
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as r:
            text = await r.text()
    assert re.search(r'bot_updates_total\{kind="text"\} 1\.0', text)
    assert re.search(r'bot_updates_total\{kind="command"\} 1\.0', text)
    assert re.search(r'bot_answers_total\{action="answer",lang="de"\} 1\.0', text)
    assert re.search(r"bot_search_seconds_count [1-9]", text)
    assert "bot_open_cases 0.0" in text
    assert "bot_first_response_seconds_bucket" in text and "bot_errors_total 0.0" in text


def bot_process(fake: FakeTelegram, tmp_path: Path, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "BOT_TOKEN": fake.token,
                   "TELEGRAM_API_URL": fake.url, "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
                   "SEARCH_CACHE_DIR": str(PROJECT_ROOT / "data" / "cache"), "WEB_HOST": "127.0.0.1",
                   "LOG_LEVEL": "WARNING", **env}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=environment, cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def wait_until(predicate, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_sigterm_during_traffic_loses_nothing(fake, tmp_path):
    early, late = list(range(8200, 8240)), list(range(8300, 8320))
    bot = bot_process(fake, tmp_path)
    await wait_until(lambda: fake.method_calls("getUpdates"))
    for person in early:
        await fake.say(person, "Wie bekomme ich einen Kita-Platz?", language_code="de")
    await wait_until(lambda: len({s.chat_id for s in fake.sent}) >= 5)
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(bot.wait, 30) == 0, "a graceful stop exits 0"
    for person in late:  # while the bot is down
        await fake.say(person, "Wie bekomme ich einen Kita-Platz?", language_code="de")
    polls = len(fake.method_calls("getUpdates"))
    bot = bot_process(fake, tmp_path)
    try:
        await wait_until(lambda: len(fake.method_calls("getUpdates")) > polls)
        await wait_until(lambda: set(early + late) <= {s.chat_id for s in fake.sent}, timeout=60)
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(bot.wait, 30) == 0
    first_answers = [s.chat_id for s in fake.sent if s.text.startswith("<b>")]
    assert sorted(first_answers) == early + late, "everyone got exactly one answer"


async def seed(path: Path) -> None:
    db = await open_database(path)
    insights, cases = Insights(db), Cases(db)
    for text, lang in [("Wie bekomme ich einen Angelschein?", "de"), ("wie bekomme ich einen angelschein", "de"),
                       ("Angelschein bekommen wie?", "de"), ("how to get a fishing licence", "en"),
                       ("Wo kann ich Tango tanzen?", "de")]:
        await insights.record_miss(text, lang, "fallback", "life-leisure-getting-around", 0.2)
    for helpful in (0, 0, 1):
        await insights.record_feedback("housing-scams", "vi", bool(helpful))
    await insights.record_feedback("visa-blue-card", "de", True)
    first = await cases.open("tg:1", "de", "candidate", "recognition", "A", "?")
    await cases.add_message(first.id, "out", "Antwort", relayed=True)
    await cases.set_status(first.id, "closed")
    await cases.rate(first.id, rating=4)
    await cases.open("tg:2", "vi", None, None, "B", "?")
    await db.close()


def run_report(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    result = subprocess.run([sys.executable, "-m", "bot", "report", *args], env=env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_reports_on_a_seeded_database(tmp_path):
    await seed(tmp_path / "bot.sqlite3")
    gaps = list(csv.reader(io.StringIO(run_report(tmp_path, "gaps", "--csv"))))
    assert gaps[0] == ["count", "languages", "example question", "closest article"]
    assert gaps[1][:2] == ["3", "de:3"] and "Angelschein" in gaps[1][2]
    assert len(gaps) == 1 + 3
    feedback = run_report(tmp_path, "feedback")
    assert "housing-scams" in feedback and "67%" in feedback and "visa-blue-card" not in feedback
    weekly = list(csv.reader(io.StringIO(run_report(tmp_path, "cases", "--csv"))))
    assert weekly[1][1:5] == ["2", "1", "0", "1"] and weekly[1][-1] == "4.0 (1)"
    assert "nothing yet" in run_report(tmp_path, "gaps", "--since", "2999-01-01")


async def test_reload_refuses_a_broken_knowledge_base_and_keeps_the_old_one(tmp_path, answerer):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    config = load_config(env={"KNOWLEDGE_DIR": str(knowledge), "DATABASE_PATH": str(tmp_path / "b.sqlite3"),
                              "SEARCH_CACHE_DIR": str(tmp_path / "cache")})
    core = await build_core(config, answerer=answerer)
    old_kb = core.answerer.kb
    try:
        article = knowledge / "articles" / "housing-scams.yaml"
        original = article.read_text(encoding="utf-8")
        article.write_text(original.replace("topics: [", "topics: [no-such-topic, "), encoding="utf-8")
        errors = await reload_knowledge(core, config)
        assert errors and "no-such-topic" in str(errors[0])
        assert core.answerer.kb is old_kb
        data = yaml.safe_load(original)
        data["en"]["questions"].append("Is a landlord in Dessau who wants Western Union money a scammer?")
        article.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert await reload_knowledge(core, config) == []
        assert core.answerer.kb is not old_kb
        assert core.answerer.searcher.search(
            "Is a landlord in Dessau who wants Western Union money a scammer?").best.article == "housing-scams"
    finally:
        await core.close()


def test_kb_reload_command_refuses_a_broken_knowledge_base(tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    (knowledge / "articles" / "broken.yaml").write_text("id: [", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "KNOWLEDGE_DIR": str(knowledge),
           "DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    result = subprocess.run([sys.executable, "-m", "bot", "kb", "reload"], env=env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "broken.yaml" in result.stdout and "keeps its knowledge base" in result.stderr


async def test_a_backup_taken_during_writes_opens_and_is_complete(tmp_path):
    source = tmp_path / "bot.sqlite3"
    db = await open_database(source)
    insights = Insights(db)
    for n in range(200):
        await insights.record_feedback(f"article-{n}", "de", True)
    stop = asyncio.Event()

    async def keep_writing() -> int:
        written = 0
        while not stop.is_set():
            await insights.record_feedback("during-backup", "de", False)
            written += 1
            await asyncio.sleep(0)
        return written

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.05)
    pages = await asyncio.to_thread(backup, source, tmp_path / "copy" / "backup.sqlite3")
    stop.set()
    written = await writer
    await db.close()
    assert pages > 0 and written > 0
    with sqlite3.connect(tmp_path / "copy" / "backup.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = copy.execute("SELECT COUNT(*) FROM feedback WHERE article LIKE 'article-%'").fetchone()[0]
        assert rows == 200
        assert copy.execute("PRAGMA user_version").fetchone()[0] >= 2


def dockerfile_command(instruction: str) -> list[str]:
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    line = next(line for line in text.splitlines() if line.startswith(instruction))
    return yaml.safe_load(line[line.index("["):])


async def test_the_images_command_and_healthcheck_work_outside_docker(fake, tmp_path):
    command = dockerfile_command("CMD")
    health = dockerfile_command("HEALTHCHECK")
    assert command == ["python", "-m", "bot", "run"] and health == ["python", "-m", "bot", "health"]
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url,
           "DATABASE_PATH": str(tmp_path / "data" / "bot.sqlite3"), "PORT": str(port), "WEB_HOST": "127.0.0.1",
           "SEARCH_CACHE_DIR": str(tmp_path / "data" / "cache")}
    process = subprocess.Popen([sys.executable, *command[1:]], env=env, cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        await wait_for_port(port, timeout=60)
        check = await asyncio.to_thread(subprocess.run, [sys.executable, *health[1:]], env=env, cwd=PROJECT_ROOT,
                                        capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        assert '"ok": true' in check.stdout
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(process.wait, 30) == 0
