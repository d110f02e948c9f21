""""Which route fits me?": a few questions with buttons, then the routes that fit, best first.

The answers so far travel in the person's ``pending`` state ("route:<step>:<answers>"), so the questionnaire
survives restarts and needs no memory of its own. Every step can be answered with "not sure".
"""
from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from bot.dialog import actions
from bot.dialog.answers import Answerer
from bot.dialog.types import Button, Reply
from bot.guides.routes import (
    CHECKS,
    LEVELS,
    NEEDS,
    ROUTE_NAMES,
    SALARY_PLACEHOLDERS,
    Rules,
    evaluate,
    opportunity_points,
)
from bot.i18n import N_, translator

PREFIX = "route"
ACTION = actions.ROUTE_FINDER
UNSURE = "?"
SHOWN = 4


@dataclass(frozen=True)
class Step:
    key: str
    question: str
    options: tuple[tuple[str, str], ...]  # (option, label)


STEPS = (
    Step("c", N_("Are you a citizen of an EU or EEA country or of Switzerland?"),
         (("eu", N_("Yes, EU, EEA or Swiss")), ("third", N_("No, another country")))),
    Step("g", N_("What do you want to do in Germany?"),
         (("training", N_("Vocational training")), ("work", N_("Work in my profession")),
          ("search", N_("Look for a job or a training place")))),
    Step("q", N_("Which qualification do you have?"),
         (("voc-full", N_("Vocational, recognised in Germany")),
          ("voc", N_("Vocational (2+ years), not yet recognised")),
          ("partial", N_("Partly recognised in Germany")),
          ("uni-full", N_("University degree, recognised in Germany")),
          ("uni-comparable", N_("University degree, comparable (anabin or ZAB)")),
          ("uni", N_("University degree, not yet checked")),
          ("none", N_("No qualification yet")))),
    Step("o", N_("Do you have a job offer in Germany? If yes, what is the gross salary per year?"), ()),
    Step("t", N_("Do you have a training contract with a company in Germany?"),
         (("yes", N_("Yes")), ("no", N_("Not yet")))),
    Step("de", N_("How good is your German?"),
         (("none", N_("No German yet")), ("A1", "A1"), ("A2", "A2"), ("B1", "B1"), ("B2", N_("B2 or better")))),
    Step("en", N_("How good is your English?"),
         (("A2", N_("Below B2")), ("B2", "B2"), ("C1", N_("C1 or better")))),
    Step("x", N_("How many years of professional experience do you have in the last 5 years?"),
         (("1", N_("Less than 2 years")), ("2", N_("2 to 4 years")), ("5", N_("5 years or more")))),
    Step("a", N_("How old are you?"),
         (("34", N_("Under 35")), ("35", N_("35 to 39")), ("40", N_("40 to 44")), ("45", N_("45 or older")))),
)
BY_KEY = {s.key: s for s in STEPS}
QUALIFICATION = {
    "voc-full": ("vocational", "full"), "voc": ("vocational", "none"), "partial": ("vocational", "partial"),
    "uni-full": ("academic", "full"), "uni-comparable": ("academic", "comparable"), "uni": ("academic", "none"),
    "none": ("none", None),
}


def encode(answers: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in answers.items())


def decode(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)


def applies(step: Step, given: dict[str, str]) -> bool:
    """Skip what does not matter for this person (a training contract for someone who wants to work ...)."""
    goal = given.get("g")
    if given.get("c") == "eu":
        return False
    if step.key == "q":
        return goal != "training"
    if step.key == "o":
        return goal in ("work", UNSURE)
    if step.key == "t":
        return goal == "training"
    if step.key == "en":  # English matters where German does not yet carry the route
        return goal != "training" and given.get("de") in ("none", "A1", UNSURE)
    if step.key == "x":
        return goal != "training"
    return True


def profile(given: dict[str, str]) -> dict:
    """The rules' answers from the questionnaire's options; "not sure" becomes None."""
    def value(key):
        v = given.get(key)
        return None if v in (None, UNSURE) else v

    qualification, recognition = QUALIFICATION.get(value("q") or "", (None, None))
    offer = value("o") or value("t")
    salary = None
    if offer and offer not in ("no", "yes", "unknown"):  # a salary band: its lower edge
        salary, offer = float(offer), "yes"
    elif offer == "unknown":
        offer = "yes"
    return {
        "citizenship": value("c"), "goal": value("g"), "qualification": qualification, "recognition": recognition,
        "offer": offer, "salary": salary, "german": value("de") if value("de") in LEVELS else None,
        "english": value("en"), "experience": float(value("x")) if value("x") else None,
        "age": int(value("a")) if value("a") else None,
    }


class RouteFinder:
    def __init__(self, answers: Answerer, rules: Rules) -> None:
        self.answers = answers
        self.rules = rules

    def start(self, lang: str) -> tuple[str, Reply]:
        """The new pending state and the first question."""
        return self._ask(STEPS[0], {}, lang)

    def answer(self, pending: str, step_key: str, option: str, lang: str) -> tuple[str | None, list[Reply]] | None:
        """The next state and replies, or None when the button does not belong to the current question."""
        current, _, encoded = pending.partition(":")[2].partition(":")
        if current != step_key or step_key not in BY_KEY or option not in self._options(BY_KEY[step_key], lang):
            return None
        given = {**decode(encoded), step_key: option}
        for step in STEPS[STEPS.index(BY_KEY[step_key]) + 1:]:
            if applies(step, given):
                state, reply = self._ask(step, given, lang)
                return state, [reply]
        return None, self.result(given, lang)

    def _options(self, step: Step, lang: str) -> dict[str, str]:
        _ = translator(lang)
        if step.key != "o":
            options = {value: _(label) if label not in LEVELS else label for value, label in step.options}
        else:
            bands = self.rules.salary_bands()
            options = {"no": _("No job offer yet")}
            for low, high in zip([0.0, *bands], [*bands, None], strict=True):
                if low == 0:
                    label = _("Offer, under EUR {high}").format(high=money(high, lang))
                elif high is None:
                    label = _("Offer, EUR {low} or more").format(low=money(low, lang))
                else:
                    label = _("Offer, EUR {low} to {high}").format(low=money(low, lang), high=money(high, lang))
                options[f"{low:g}"] = label
            options["unknown"] = _("Offer, salary not known yet")
        options[UNSURE] = "🤷 " + _("Not sure")
        return options

    def _ask(self, step: Step, given: dict[str, str], lang: str) -> tuple[str, Reply]:
        _ = translator(lang)
        buttons = tuple((Button(label, f"{ACTION}:{step.key}:{value}"),)
                        for value, label in self._options(step, lang).items())
        intro = _("Which route fits me? An orientation in a few questions.") + "\n\n" if not given else ""
        reply = Reply(intro + _(step.question), lang, buttons=buttons)
        return f"{PREFIX}:{step.key}:{encode(given)}", reply

    def result(self, given: dict[str, str], lang: str) -> list[Reply]:
        _ = translator(lang)
        found = evaluate(self.rules, profile(given))[:SHOWN]
        ready = [r for r in found if not r.missing]
        lines = [_("This is an orientation, not a decision of an authority: the German mission and the "
                   "foreigners' authority decide.")]
        if not found:
            lines.append(_("No route fits your answers yet. An advisor can look at your situation with you, and "
                           "learning German, having your qualification recognised or finding a job offer opens "
                           "most routes."))
        elif not ready:
            lines.append(_("No route fits completely yet. This is what would open one:"))
        else:
            lines.append(_("These routes can fit, the best first:"))
        values = self._values(lang, given)
        for number, route in enumerate(found, start=1):
            lines.append("")
            lines.append(f"{number}. {_(ROUTE_NAMES[route.id])}")
            for need in route.missing:
                lines.append("   ➕ " + _("Still missing: ") + _(NEEDS[need]).format(**values))
            for need in route.unknown:
                lines.append("   ❔ " + _("To clarify: ") + _(NEEDS[need]).format(**values))
            for check in route.checks:
                lines.append("   ☑️ " + _("Also needed: ") + _(CHECKS[check]))
        if found:
            lines += ["", _("Next step: read the article on the first route and prepare what is missing. An "
                            "advisor can check your case.")]
        articles = list(dict.fromkeys(r.article for r in found))[:3]
        buttons = [(Button("→ " + self.answers.kb.articles[a].text(lang).title, f"art:{a}"),) for a in articles]
        buttons.append((self.answers.advisor_button(lang, "visa-entry"),))
        buttons.append((Button("↺ " + _("Start again"), f"{ACTION}:restart:-"),))
        sources = tuple(dict.fromkeys(r.source for r in found))[:3]
        return [Reply("\n".join(lines), lang, sources=sources, buttons=tuple(buttons))]

    def _values(self, lang: str, given: dict[str, str]) -> dict[str, str]:
        values = {name: money(self.rules.threshold(key), lang) for name, key in SALARY_PLACEHOLDERS.items()}
        points = opportunity_points(self.rules, profile(given))
        return {**values, "year": str(self.rules.year), "points": str(points)}


def money(value: float, lang: str) -> str:
    """An amount as people of that language write it: 50.700 (de), 50,700 (en), 45 934,20 (fr)."""
    return format_decimal(value, format="#,##0" if value == int(value) else "#,##0.00", locale=lang)
