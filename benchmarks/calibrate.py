"""Calibrate the search's weights and thresholds on the calibration half of tests/data/labelled.

    python benchmarks/calibrate.py            # print the best settings and their figures on both halves

The evidence for each message is computed once; weights and thresholds are then searched on the
calibration half only. The held-out half is reported, never tuned on.
"""
from __future__ import annotations

import itertools
import math
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.kb import load  # noqa: E402
from bot.search.engine import SMALLTALK, Searcher, Settings, message_words  # noqa: E402
from bot.search.evaluation import IN_SCOPE, OUT_OF_SCOPE, SMALL_TALK, evaluate, format_report, load_labelled, overlaps  # noqa: E402

# What each outcome is worth to a person (see the README): a wrong answer costs more than an honest "I don't know".
VALUE = {
    "right": 1.0,  # confident answer, right article
    "choice": 0.5,  # the right article among the offered choices: one more tap
    "fallback": 0.0,  # honest "no answer", advisor offered
    "bad_choice": -0.3,  # choices without the right article
    "wrong": -1.5,  # confident answer with the wrong article
}


STEPS = [round(0.05 * i, 2) for i in range(21)]

# Out-of-scope messages are rarer than questions in real use, but matter: half the weight of the questions.
OUT_OF_SCOPE_SHARE = 0.5


def outcome(ranked: list[tuple[str, float]], settings: Settings) -> tuple[str, set[str], str | None]:
    """(action, offered choices, answered article) for ranked (article, score) pairs."""
    if not ranked or ranked[0][1] < settings.clarify_threshold:
        return "fallback", set(), None
    first = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if first >= settings.answer_threshold and first - second >= settings.answer_margin:
        return "answer", set(), ranked[0][0]
    window = max(settings.clarify_threshold, first - settings.clarify_window)
    return "clarify", {a for a, s in ranked[:3] if s >= window}, None


def utility(cases, searcher: Searcher, settings: Settings) -> tuple[float, float, float]:
    """(value, top-1, rejection): the mean value for in-scope questions plus the mean for out-of-scope
    messages, weighted by how often we expect them (the labelled set holds far fewer of them)."""
    searcher.settings = settings
    in_value, out_value, top1, rejected, oos, questions = 0.0, 0.0, 0, 0, 0, 0
    for item, feats in cases:
        ranked = sorted(((f.article, searcher.combine(f)) for f in feats), key=lambda x: -x[1])
        action, choices, answered = outcome(ranked, settings)
        if item.kind == IN_SCOPE:
            questions += 1
            top1 += bool(ranked) and ranked[0][0] in item.expected
            if action == "answer":
                in_value += VALUE["right"] if answered in item.expected else VALUE["wrong"]
            elif action == "clarify":
                in_value += VALUE["choice"] if choices & item.expected else VALUE["bad_choice"]
        elif item.kind == OUT_OF_SCOPE:
            oos += 1
            rejected += action == "fallback"
            out_value += 1.0 if action == "fallback" else (-0.5 if action == "clarify" else VALUE["wrong"])
    value = in_value / max(questions, 1) + OUT_OF_SCOPE_SHARE * out_value / max(oos, 1)
    return value, top1 / max(questions, 1), rejected / max(oos, 1)


def main() -> None:
    kb = load(ROOT / "knowledge").kb
    searcher = Searcher(kb)
    everything = load_labelled(ROOT / "tests" / "data" / "labelled")
    clash = set(overlaps(everything, kb))
    items = [i for i in everything if i not in clash and i.kind != SMALL_TALK]
    cases = []
    for item in items:
        result = searcher.search(item.text)
        if result.action == SMALLTALK:
            continue
        outside = searcher.outside(item.text, result.lang) is not None
        cases.append((item, searcher.features(message_words(item.text), result.lang, None, outside)))
    calibration = [c for c in cases if not c[0].held_out]
    chatter = [i for i in everything if i.kind == SMALL_TALK and not i.held_out]

    def smalltalk_rate(settings: Settings) -> float:
        searcher.settings = settings
        return evaluate(searcher, chatter).smalltalk.rate

    # Better ranking and more answers must not come from rejecting fewer unrelated messages or from answering
    # "thanks, bye": neither may fall below what the settings in force reach on the calibration half.
    rejection_floor = utility(calibration, searcher, searcher.settings)[2]
    smalltalk_floor = smalltalk_rate(searcher.settings)

    def keeps_floors(settings: Settings) -> bool:
        rejection = utility(calibration, searcher, settings)[2]
        return rejection >= rejection_floor and smalltalk_rate(settings) >= smalltalk_floor

    def ranked_best(candidates: list[Settings]) -> Settings:
        """The settings with the best top-1 (among equals, the best value at the current thresholds) that keep
        the floors."""
        ordered = sorted(candidates, key=lambda c: utility(calibration, searcher, c)[1::-1], reverse=True)
        return next((c for c in ordered if keeps_floors(c)), searcher.settings)

    weights = [(a, b, round(1 - a - b, 2)) for a in STEPS for b in STEPS if a + b <= 1]
    ranking = searcher.settings
    for _ in range(2):  # the word weights and the classifier's depend on each other: two rounds settle them
        ranking = ranked_best([
            replace(ranking, coverage_weight=cw, phrase_weight=fw, bank_weight=bw, audience_guess_weight=guess)
            for (cw, fw, bw), guess in itertools.product(weights, (0.1, 0.2, 0.3))
        ])
        ranking = ranked_best([
            replace(ranking, classifier_weight=weight, classifier_temperature=temperature)
            for weight, temperature in itertools.product(
                (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0), (0.02, 0.03, 0.045, 0.06, 0.09, 0.12)
            )
        ])
    best = None
    for answer, margin, clarify, window, scope, cap in itertools.product(
        (0.5, 0.55, 0.6, 0.65, 0.7, 0.75), (0.0, 0.03, 0.06, 0.1), (0.3, 0.35, 0.4, 0.45, 0.5), (0.08, 0.12, 0.16),
        (0.0, 0.2, 0.3, 0.4, 0.5), (9.0, 12.0, 15.0, math.inf),
    ):
        if clarify > answer:
            continue
        candidate = replace(ranking, answer_threshold=answer, answer_margin=margin, clarify_threshold=clarify,
                            clarify_window=window, scope_penalty=scope, message_weight_cap=cap)
        value = utility(calibration, searcher, candidate)[0]
        if (best is None or value > best[0]) and keeps_floors(candidate):
            best = (value, candidate)
    chosen = best[1] if best else ranking
    print("best settings:", {k: v for k, v in vars(chosen).items() if v != getattr(Settings(), k)} or "unchanged")
    print(chosen)
    searcher.settings = chosen
    for name, subset in (("calibration half", [i for i in everything if not i.held_out]),
                         ("held-out half", [i for i in everything if i.held_out])):
        print()
        print(format_report(evaluate(searcher, subset), name))


if __name__ == "__main__":
    main()
