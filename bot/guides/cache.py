"""The guides built from the knowledge base in service, rebuilt when a reload swaps it."""
from __future__ import annotations

from bot.dialog.answers import Answerer
from bot.guides.help_finder import Directory, HelpFinder
from bot.guides.route_finder import RouteFinder
from bot.guides.routes import load_rules


class GuideCache:
    def __init__(self, answers: Answerer) -> None:
        self.answers = answers
        self._built_for: object | None = None
        self._route: RouteFinder | None = None
        self._help: HelpFinder | None = None

    def _refresh(self) -> None:
        kb = self.answers.kb
        if self._built_for is not kb:
            self._route = RouteFinder(self.answers, load_rules(kb.routes))
            self._help = HelpFinder(self.answers, Directory(kb.contacts, kb.domains, set(kb.topics)))
            self._built_for = kb

    def route_finder(self) -> RouteFinder:
        self._refresh()
        return self._route

    def help_finder(self) -> HelpFinder:
        self._refresh()
        return self._help
