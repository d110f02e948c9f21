"""Shared fixtures: the real knowledge base and search (built once), fresh databases, dialogs."""
from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.dialog.answers import Answerer
from bot.dialog.engine import Dialog, DialogSettings
from bot.kb import KnowledgeBase, load
from bot.kb.model import LANGUAGES
from bot.search.engine import Searcher
from bot.store.cases import Cases
from bot.store.db import Database, open_database
from bot.store.insights import Insights
from bot.store.people import People
from tests.fake_telegram import FakeTelegram

KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The bundled knowledge base as loaded; tests/test_kb_loading.py insists that it has no errors."""
    return load(KNOWLEDGE).kb


@pytest.fixture(scope="session")
def searcher(kb: KnowledgeBase) -> Searcher:
    return Searcher(kb)


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase, searcher: Searcher) -> Answerer:
    return Answerer(kb, searcher)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


def make_dialog(answerer: Answerer, db: Database, **settings) -> Dialog:
    return Dialog(answerer, People(db), Insights(db), Cases(db), DialogSettings(**settings))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1 for end-to-end tests."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def dialog(answerer: Answerer, db: Database) -> Dialog:
    return make_dialog(answerer, db)


def article_data(aid: str, topics: list[str], **overrides) -> dict:
    """A small, valid article in all eight languages, for building test knowledge bases."""
    data = {
        "id": aid,
        "topics": topics,
        "audience": "candidate",
        "sources": ["https://www.make-it-in-germany.com/en/"],
        "reviewed": "2026-11-01",
        "related": [],
    }
    for lang in LANGUAGES:
        data[lang] = {
            "title": f"{aid} title {lang}",
            "questions": [f"{aid} question {lang} {n}" for n in range(3)],
            "keywords": [f"{aid}-{lang}"],
            "answer": " ".join(["word"] * 80),
        }
    data.update(overrides)
    return data


@dataclass
class SmallKB:
    root: Path
    write: Callable[..., Path]


@pytest.fixture
def small_kb(tmp_path: Path) -> SmallKB:
    """A writable copy of the knowledge folder's frame (topics, domains, small talk) with two articles."""
    root = tmp_path / "knowledge"
    (root / "articles").mkdir(parents=True)
    for name in ("topics.yaml", "domains.yaml", "smalltalk.yaml", "synonyms.yaml"):
        shutil.copy(KNOWLEDGE / name, root / name)

    def write(data: dict | str, name: str | None = None) -> Path:
        path = root / "articles" / f"{name or data['id']}.yaml"
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    write(article_data("first-article", ["visa-entry"], related=["second-article"]))
    write(article_data("second-article", ["recognition"]))
    return SmallKB(root, write)
