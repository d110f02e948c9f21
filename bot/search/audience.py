"""Guessing from a message whether an employer or a candidate is asking ("we want to hire" vs "I want to
come"), for people whose audience is not known yet. A naive Bayes model over the knowledge base's own
question variants: employer articles' questions against candidate articles' questions."""
from __future__ import annotations

import math
from collections import Counter

from bot.kb.model import KnowledgeBase
from bot.search.normalize import tokens

CLAMP = 4.0  # no single word may decide alone


class AudienceGuesser:
    def __init__(self, kb: KnowledgeBase) -> None:
        counts = {"employer": Counter(), "candidate": Counter()}
        for article in kb.articles.values():
            if article.audience in counts:
                for text in article.texts.values():
                    for question in text.questions:
                        counts[article.audience].update(set(tokens(question)))
        self._totals = {side: sum(c.values()) + len(c) + 1 for side, c in counts.items()}
        self._counts = counts

    def employer_probability(self, words: list[str]) -> float:
        """P(employer | words), 0.5 when the words say nothing either way."""
        if not self._totals or not all(self._counts.values()):
            return 0.5
        log_odds = 0.0
        for word in set(words):
            emp = (self._counts["employer"][word] + 1) / self._totals["employer"]
            cand = (self._counts["candidate"][word] + 1) / self._totals["candidate"]
            if self._counts["employer"][word] + self._counts["candidate"][word] < 3:
                continue
            log_odds += max(-CLAMP, min(CLAMP, math.log(emp / cand)))
        log_odds = max(-20.0, min(20.0, log_odds))
        return 1 / (1 + math.exp(-log_odds))
