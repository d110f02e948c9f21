"""What advisors read: topic names, the case card, the case list and the statistics.

Advisors in Sachsen-Anhalt work in German; every label also carries its English word, so that colleagues
without German find their way. Plain text: the Telegram desk escapes it.
"""
from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime

from babel import Locale

from bot.handoff.hours import BERLIN
from bot.kb.model import KnowledgeBase
from bot.store.cases import Case

TOPIC_NAME_LIMIT = 128
STATUS_DE = {"open": "offen", "closed": "geschlossen", "cancelled": "zurückgezogen"}
AUDIENCE = {"candidate": "Fachkraft/Azubi · candidate", "employer": "Arbeitgeber · employer"}
COMMANDS_HELP = (
    "Antworten hier gehen an die Person / replies here go to the person. "
    "Interne Notiz / internal note: mit ! beginnen oder /note. "
    "/claim · /close · /reopen · /kb Suchwörter · /near Ort · /lang. "
    "Im allgemeinen Thema / in the general topic: /cases · /stats · /reload"
)


def parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).astimezone(UTC)


def local(stamp: str) -> str:
    return parse_time(stamp).astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def language_label(lang: str) -> str:
    """"Vietnamesisch / Vietnamese (vi)"."""
    locale = Locale.parse(lang)
    return f"{locale.get_display_name('de')} / {locale.get_display_name('en')} ({lang})"


def topic_name(case: Case) -> str:
    """The forum topic's name: number, language, audience, topic and state at a glance."""
    parts = [f"#{case.id}", case.lang, case.audience or "-", case.topic or "-", case.status]
    if case.claimed_by:
        parts.append(case.claimed_by)
    return " · ".join(parts)[:TOPIC_NAME_LIMIT]


def waited(case: Case, now: datetime) -> str:
    minutes = int((now - parse_time(case.created_at)).total_seconds() // 60)
    hours, minutes = divmod(max(minutes, 0), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def case_card(case: Case, kb: KnowledgeBase, recent: list[dict]) -> str:
    topic = kb.topics.get(case.topic or "")
    lines = [
        f"Fall / Case #{case.id} · {STATUS_DE.get(case.status, case.status)} / {case.status}",
        f"Sprache / Language: {language_label(case.lang)}",
        f"Zielgruppe / Audience: {AUDIENCE.get(case.audience or '', '-')}",
        "Thema / Topic: " + (f"{topic.titles['de']} / {topic.titles['en']}" if topic else "-"),
        f"Vorname / First name: {case.first_name or '-'}",
        f"Eröffnet / Opened: {local(case.created_at)} (Europe/Berlin)",
        f"Bearbeitet von / Claimed by: {case.claimed_by or '-'}",
        "",
        "Letzte Fragen an den Bot / Recent questions to the bot:",
    ]
    if not recent:
        lines.append("- keine / none")
    for item in recent:
        article = kb.articles.get(item.get("article") or "")
        shown = f" → {article.text('de').title}" if article else " → keine Antwort / no answer"
        lines.append(f"- {local(item['at'])}: {item['text'][:300]}{shown}")
    lines += ["", COMMANDS_HELP]
    return "\n".join(lines)


def case_list(cases: list[Case], now: datetime) -> str:
    if not cases:
        return "Keine offenen Fälle / No open cases."
    lines = ["Offene Fälle, älteste zuerst / Open cases, oldest first:"]
    for case in cases:
        answered = "beantwortet / answered" if case.first_response_at else "wartet / waiting"
        lines.append(
            f"#{case.id} · {case.lang} · {case.topic or '-'} · {answered} · seit / for {waited(case, now)} · "
            f"{case.claimed_by or 'niemand / nobody'}"
        )
    return "\n".join(lines)


def case_stats(cases: list[Case], misses: list[dict], kb: KnowledgeBase) -> str:
    open_cases = [c for c in cases if c.status == "open"]
    response_minutes = [
        (parse_time(c.first_response_at) - parse_time(c.created_at)).total_seconds() / 60
        for c in cases
        if c.first_response_at
    ]
    ratings = [c.rating for c in cases if c.rating]
    topics = Counter(c.topic for c in cases if c.topic).most_common(5)
    lines = [
        "Statistik / Statistics",
        f"Offene Fälle / Open cases: {len(open_cases)} (gesamt / in total {len(cases)})",
        "Median erste Antwort / Median first response: "
        + (f"{statistics.median(response_minutes):.0f} min" if response_minutes else "-"),
        "Bewertungen / Ratings: "
        + (f"{statistics.mean(ratings):.1f} von 5 ({len(ratings)})" if ratings else "-"),
        "Häufigste Themen / Most asked topics: "
        + (", ".join(f"{kb.topics[t].titles['de'] if t in kb.topics else t} ({n})" for t, n in topics) or "-"),
        "",
        "Fragen ohne sichere Antwort (neueste) / Questions without a confident answer (latest):",
    ]
    lines += [f"- [{m['lang']}] {m['text'][:200]}" for m in misses[-8:]] or ["- keine / none"]
    return "\n".join(lines)
