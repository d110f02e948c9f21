"""Wiring the core once: knowledge base, search, storage and dialog. Adapters start from here."""
from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config
from bot.dialog.answers import Answerer
from bot.dialog.engine import Dialog, DialogSettings
from bot.handoff.hours import OfficeHours
from bot.i18n import set_locales_dir
from bot.kb import Problem, check, load, load_checked
from bot.metrics import Metrics
from bot.search.cache import cached_searcher
from bot.search.engine import Searcher
from bot.store.cases import Cases
from bot.store.db import Database, open_database
from bot.store.insights import Insights
from bot.store.people import People


def load_answerer(knowledge_dir: Path, locales_dir: Path | None = None, cache_dir: Path | None = None) -> Answerer:
    """The stateless half of the core: raises KnowledgeError when the knowledge base has errors."""
    if locales_dir is not None:
        set_locales_dir(locales_dir)
    searcher = cached_searcher(knowledge_dir, cache_dir, lambda: Searcher(load_checked(knowledge_dir)))
    _settle()
    return Answerer(searcher.kb, searcher)


def _settle() -> None:
    """Keep a freshly loaded index out of the garbage collector's rounds: it is millions of long-lived objects
    that would otherwise be walked again and again while the bot serves. An index replaced by a reload is
    freed by reference counting."""
    gc.collect()
    gc.freeze()


@dataclass
class Core:
    answerer: Answerer
    db: Database
    dialog: Dialog

    async def close(self) -> None:
        await self.db.close()


async def build_core(config: Config, advisors: bool = False, answerer: Answerer | None = None) -> Core:
    """The core for one adapter; ``advisors`` when cases reach an advisors' group. ``answerer`` lets tests and
    benchmarks share one loaded knowledge base between cores."""
    answerer = answerer or load_answerer(config.knowledge_dir, config.locales_dir, config.cache_dir)
    db = await open_database(config.database_path)
    settings = DialogSettings(
        advisors_connected=advisors,
        retention_days=config.retention_days,
        hours=OfficeHours.parse(config.office_hours),
    )
    dialog = Dialog(answerer, People(db), Insights(db), Cases(db), settings)
    return Core(answerer, db, dialog)


async def health(core: Core) -> dict:
    """What /healthz reports: the database answers and the knowledge base is loaded."""
    database = await core.db.ping()
    articles = len(core.answerer.kb.articles)
    return {"ok": database and articles > 0, "database": database, "articles": articles}


async def refresh_metrics(core: Core, metrics: Metrics) -> None:
    row = await core.db.fetchone("SELECT COUNT(*) AS n FROM cases WHERE status = 'open'")
    metrics.open_cases.set(row["n"] if row else 0)


async def reload_knowledge(core: Core, config: Config) -> list[Problem]:
    """Re-read and check the knowledge base while the bot runs; on errors keep the one in service.

    Returns the errors (empty when the new knowledge base is in service)."""
    loaded = await asyncio.to_thread(load, config.knowledge_dir)
    errors = [p for p in check(loaded, config.knowledge_dir) if p.level == "error"]
    if errors:
        return errors
    searcher = await asyncio.to_thread(
        cached_searcher, config.knowledge_dir, config.cache_dir, lambda: Searcher(loaded.kb)
    )
    searcher.observer = core.answerer.searcher.observer
    core.answerer.kb, core.answerer.searcher = searcher.kb, searcher
    _settle()
    return []
