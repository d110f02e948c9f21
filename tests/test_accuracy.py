"""The search measured on the labelled question set in tests/data/labelled, and on the fresh set in
tests/data/fresh (written by helpers who saw neither the search nor the labelled set, and measured only after the
search's last tuning).

The floors below are a little under what the search reaches today (README, "Search quality"), so that a change
that makes it worse fails here. The goals: top-1 90%, top-3 97%, rejection 90% in every language, language 97%;
where a figure is below its goal, the README says so.
"""
from __future__ import annotations

from collections import Counter

import pytest

from bot.config import PROJECT_ROOT
from bot.kb.model import LANGUAGES
from bot.search.evaluation import IN_SCOPE, OUT_OF_SCOPE, SMALL_TALK, evaluate, load_labelled, overlaps

LABELLED = PROJECT_ROOT / "tests" / "data" / "labelled"
FRESH = PROJECT_ROOT / "tests" / "data" / "fresh"
FLOORS = {"top1": 0.94, "top3": 0.97, "rejection": 0.94, "smalltalk": 0.92, "language": 0.97}
LANGUAGE_FLOORS = {"top1": 0.90, "top3": 0.95, "rejection": 0.90}
FRESH_FLOORS = {"top1": 0.91, "top3": 0.96, "rejection": 0.94, "language": 0.97}


@pytest.fixture(scope="module")
def items():
    return load_labelled(LABELLED)


@pytest.fixture(scope="module")
def report(searcher, items):
    return evaluate(searcher, items)


def test_the_set_is_large_and_covers_every_language_and_topic(items, kb):
    kinds = Counter(i.kind for i in items)
    assert kinds[IN_SCOPE] >= 300 and kinds[OUT_OF_SCOPE] >= 60 and kinds[SMALL_TALK] >= 30
    assert {i.lang for i in items} == set(LANGUAGES)
    for lang in LANGUAGES:
        topics = {t for i in items if i.lang == lang and i.kind == IN_SCOPE for a in i.expected
                  for t in kb.articles[a].topics}
        assert topics == set(kb.topics), f"{lang} misses topics {set(kb.topics) - topics}"


def test_every_label_names_an_existing_article(items, kb):
    unknown = {a for i in items for a in i.expected} - set(kb.articles)
    assert not unknown


def test_no_labelled_message_is_one_of_the_knowledge_bases_own_questions(items, kb):
    assert overlaps(items, kb) == []


def test_overall_accuracy_stays_above_its_floors(report):
    figures = report.row()
    below = {name: round(figures[name], 3) for name, floor in FLOORS.items() if figures[name] < floor}
    assert not below, f"below the floors {FLOORS}: {below}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_language_falls_far_behind(report, lang):
    figures = report.per_lang[lang].row()
    below = {name: round(figures[name], 3) for name, floor in LANGUAGE_FLOORS.items() if figures[name] < floor}
    assert not below, f"{lang} below {LANGUAGE_FLOORS}: {below}"


def test_wrong_confident_answers_stay_rare(report):
    assert report.answered_wrong.rate <= 0.03


def test_the_fresh_set_stays_above_its_floors(searcher, kb):
    fresh = load_labelled(FRESH)
    assert {i.lang for i in fresh} == set(LANGUAGES) and not overlaps(fresh, kb)
    figures = evaluate(searcher, fresh).row()
    below = {name: round(figures[name], 3) for name, floor in FRESH_FLOORS.items() if figures[name] < floor}
    assert not below, f"below the floors {FRESH_FLOORS}: {below}"
    # The search answers far more often than it used to (83% of fresh questions right, 24% before); wrong
    # confident answers rose with it (3.8%, 0.8% before). This keeps them from rising further.
    assert figures["answered_wrong"] <= 0.04


def test_knowing_the_audience_helps_and_never_hurts(searcher, items, report):
    known = evaluate(searcher, items, with_audience=True)
    assert known.top1.rate >= report.top1.rate
    assert known.top1.rate >= 0.94 and known.answered_wrong.rate <= 0.02
