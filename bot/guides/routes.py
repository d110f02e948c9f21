"""The route finder's rules (knowledge/routes.yaml) applied to a person's answers.

Each requirement of a route comes out as met, missing (something the person can still get: a job offer, a
German level), unknown (they were not sure), excluded (a hard rule the route cannot do without), or a check
the questionnaire does not ask. Routes without an excluded requirement fit; the fewer gaps, the better.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import N_

LEVELS = ("none", "A1", "A2", "B1", "B2", "C1")
ANSWERS = ("citizenship", "goal", "qualification", "recognition", "offer", "salary", "german", "english",
           "experience", "age")
NUMBERS = ("salary", "experience", "age")
MET, MISSING, UNKNOWN, EXCLUDED = "met", "missing", "unknown", "excluded"

# What people read, per route and per gap; kb check makes sure routes.yaml names nothing else.
ROUTE_NAMES = {
    "eu-free-movement": N_("Free movement for EU, EEA and Swiss citizens"),
    "vocational-training": N_("Visa for vocational training (§ 16a)"),
    "training-place-search": N_("Looking for a training place in Germany (§ 17)"),
    "skilled-worker": N_("Skilled worker with a recognised qualification (§ 18a / § 18b)"),
    "blue-card": N_("EU Blue Card (§ 18g)"),
    "blue-card-shortage": N_("EU Blue Card with the lower salary for shortage occupations (§ 18g)"),
    "recognition-partnership": N_("Recognition partnership: work first, recognition in Germany (§ 16d)"),
    "experience-route": N_("Route for experienced workers without recognition (§ 19c)"),
    "opportunity-card": N_("Opportunity Card to look for work in Germany (§ 20a)"),
}
NEEDS = {
    "training_contract": N_("a training contract with a company in Germany"),
    "german_b1": N_("German at level B1"),
    "german_a2": N_("German at level A2"),
    "recognition": N_("recognition of your qualification in Germany"),
    "degree_comparable": N_("a degree recognised in Germany or comparable to a German one (ZAB statement or anabin)"),
    "job_offer": N_("a concrete job offer in Germany"),
    "salary_45": N_(
        "from age 45: a salary of at least EUR {salary_45} a year ({year}) or adequate provision for old age"
    ),
    "salary_blue_card": N_("a salary of at least EUR {salary_blue_card} a year ({year})"),
    "salary_blue_card_shortage": N_("a salary of at least EUR {salary_blue_card_shortage} a year ({year})"),
    "salary_experience": N_("a salary of at least EUR {salary_experience} a year ({year}), or an employer bound by a "
                            "collective agreement"),
    "experience_2": N_("at least 2 years of professional experience in the last 5 years"),
    "language_opportunity": N_("German at level A1 or English at level B2"),
    "points_6": N_("at least 6 points (you have about {points}), or full recognition of your qualification"),
}
CHECKS = {
    "livelihood": N_("enough money to live on for the whole stay"),
    "livelihood_training": N_("enough money to live on: the training pay counts, a blocked account can fill a gap"),
    "school_certificate": N_("a school certificate that gives access to university in your country"),
    "shortage_occupation": N_("a shortage occupation, or a degree less than 3 years old"),
    "employer_qualifies": N_("an employer able to provide the qualification and willing to support recognition"),
    "non_regulated_job": N_("the job is not a regulated profession (nursing or medicine, for example, are)"),
}
# Where each threshold shows up in a text.
SALARY_PLACEHOLDERS = {
    "salary_45": "age_45_salary",
    "salary_blue_card": "blue_card_standard",
    "salary_blue_card_shortage": "blue_card_shortage",
    "salary_experience": "experience_route_salary",
}


@dataclass(frozen=True)
class RouteResult:
    id: str
    article: str
    source: str
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unknown


@dataclass
class Rules:
    thresholds: dict[str, dict]
    points: dict
    routes: list[dict]
    problems: list[str] = field(default_factory=list)

    def threshold(self, name_or_value) -> float:
        if isinstance(name_or_value, (int, float)):
            return float(name_or_value)
        return float(self.thresholds[name_or_value]["value"])

    @property
    def year(self) -> int:
        return max(int(t["year"]) for t in self.thresholds.values())

    def salary_bands(self) -> list[float]:
        """The salary thresholds, lowest first: the questionnaire offers the bands between them."""
        return sorted({float(self.thresholds[name]["value"]) for name in SALARY_PLACEHOLDERS.values()})


def level(value) -> int:
    return LEVELS.index(value) if value in LEVELS else -1


def opportunity_points(rules: Rules, answers: dict) -> int:
    spec = rules.points
    total = spec.get("recognition", {}).get(answers.get("recognition"), 0)
    total += spec.get("german", {}).get(answers.get("german"), 0)
    total += spec.get("english", {}).get(answers.get("english"), 0)
    for name in ("experience", "age"):
        value = answers.get(name)
        if value is None:
            continue
        for step in spec.get(name, []):
            if ("min" in step and value >= step["min"]) or ("below" in step and value < step["below"]):
                total += step["points"]
                break
    return total


def _status(rules: Rules, req: dict, answers: dict) -> str:
    if "any" in req:
        found = [_status(rules, alternative, answers) for alternative in req["any"]]
        if MET in found:
            return MET
        return UNKNOWN if UNKNOWN in found else MISSING
    name = req["answer"]
    value = opportunity_points(rules, answers) if name == "points" else answers.get(name)
    if value is None:
        return UNKNOWN
    if "in" in req:
        return MET if value in req["in"] else MISSING
    if name in ("german", "english"):
        return MET if level(value) >= level(req["min"]) else MISSING
    low = rules.threshold(req["min"]) if "min" in req else None
    high = rules.threshold(req["below"]) if "below" in req else None
    ok = (low is None or value >= low) and (high is None or value < high)
    return MET if ok else MISSING


def evaluate(rules: Rules, answers: dict) -> list[RouteResult]:
    """Every route that fits the answers, best first (fewest gaps, then as listed in the rules)."""
    results = []
    for order, route in enumerate(rules.routes):
        missing, unknown, checks = [], [], []
        excluded = False
        for req in route["requires"]:
            if "check" in req:
                checks.append(req["check"])
                continue
            if "when" in req:
                condition = _status(rules, req["when"], answers)
                if condition == MISSING:
                    continue
                if condition == UNKNOWN:
                    unknown.append(req.get("need", req.get("answer", "?")))
                    continue
            status = _status(rules, req, answers)
            if status == MISSING and req.get("hard"):
                excluded = True
                break
            if status == MISSING:
                missing.append(req["need"])
            elif status == UNKNOWN and not req.get("hard"):
                unknown.append(req["need"])
        if not excluded:
            results.append((len(missing), len(unknown), order,
                            RouteResult(route["id"], route["article"], route["source"], tuple(missing),
                                        tuple(unknown), tuple(checks))))
    return [r for *_, r in sorted(results, key=lambda item: item[:3])]


def load_rules(data: dict | None) -> Rules:
    """Rules from the parsed YAML; ``problems`` lists what is wrong (kb check reports them)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return Rules({}, {}, [], ["routes.yaml must be a mapping with thresholds, points and routes"])
    thresholds = data.get("thresholds") or {}
    for name, spec in thresholds.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("value"), (int, float)):
            problems.append(f"thresholds.{name}: needs a number as value")
        elif not isinstance(spec.get("year"), int) or not str(spec.get("source", "")).startswith("https://"):
            problems.append(f"thresholds.{name}: needs the year of the figure and an https source")
    routes = data.get("routes") or []
    seen = set()
    for route in routes:
        rid = route.get("id", "?")
        if rid in seen:
            problems.append(f"routes.{rid}: duplicate id")
        seen.add(rid)
        if rid not in ROUTE_NAMES:
            problems.append(f"routes.{rid}: no name for this route in bot/guides/routes.py")
        if not str(route.get("source", "")).startswith("https://"):
            problems.append(f"routes.{rid}.source: needs an https link")
        for req in route.get("requires") or []:
            problems += [f"routes.{rid}.requires: {p}" for p in _requirement_problems(req, thresholds)]
    return Rules(thresholds, data.get("points") or {}, routes, problems)


def _requirement_problems(req: dict, thresholds: dict) -> list[str]:
    if "check" in req:
        return [] if req["check"] in CHECKS else [f"unknown check {req['check']!r}"]
    problems = []
    if "need" in req and req["need"] not in NEEDS:
        problems.append(f"unknown need {req['need']!r}")
    if not req.get("hard") and "need" not in req:
        problems.append(f"{req.get('answer', 'any')}: a requirement that is not hard needs a `need` text")
    for alternative in req.get("any", []):
        problems += _requirement_problems({**alternative, "hard": True}, thresholds)
    if "any" in req:
        return problems
    if req.get("answer") not in (*ANSWERS, "points"):
        problems.append(f"unknown answer {req.get('answer')!r}")
    if "in" in req and not all(isinstance(v, str) for v in req["in"]):
        problems.append(f"{req.get('answer')}: values in `in` must be quoted text (YAML reads yes/no as true/false)")
    for bound in ("min", "below"):
        value = req.get(bound)
        if isinstance(value, str) and value not in thresholds and value not in LEVELS:
            problems.append(f"unknown threshold {value!r}")
    if "when" in req:
        problems += _requirement_problems({**req["when"], "hard": True}, thresholds)
    return problems
