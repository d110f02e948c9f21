"""Operational metrics in Prometheus format: what an operator watches, never what a person wrote."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("bot_updates", "Updates received, by kind", ["kind"], registry=self.registry)
        self.answers = Counter("bot_answers", "Replies by dialog action and language", ["action", "lang"],
                               registry=self.registry)
        self.errors = Counter("bot_errors", "Errors while handling updates", registry=self.registry)
        self.search_seconds = Histogram(
            "bot_search_seconds", "Time to search one message",
            buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5), registry=self.registry,
        )
        self.open_cases = Gauge("bot_open_cases", "Cases waiting for or talking with an advisor",
                                registry=self.registry)
        self.first_response_seconds = Histogram(
            "bot_first_response_seconds", "Time from opening a case to the advisors' first answer",
            buckets=(60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600), registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
