"""The curated knowledge base: model, loading, checks and coverage."""
from __future__ import annotations

from pathlib import Path

from bot.kb.checks import check
from bot.kb.loader import Loaded, Problem, load
from bot.kb.model import AUDIENCES, LANGUAGES, Article, KnowledgeBase, SmallTalk, Text, Topic

__all__ = [
    "AUDIENCES",
    "LANGUAGES",
    "Article",
    "KnowledgeBase",
    "KnowledgeError",
    "Loaded",
    "Problem",
    "SmallTalk",
    "Text",
    "Topic",
    "check",
    "load",
    "load_checked",
]


class KnowledgeError(Exception):
    """The knowledge base has errors; ``problems`` names each one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"the knowledge base has {len(problems)} error(s); run: python -m bot kb check")


def load_checked(root: Path) -> KnowledgeBase:
    """The knowledge base, or :class:`KnowledgeError` when anything in it is an error."""
    loaded = load(root)
    errors = [p for p in check(loaded, root) if p.level == "error"]
    if errors:
        raise KnowledgeError(errors)
    return loaded.kb
