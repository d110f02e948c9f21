"""The route finder's rules, table-tested: every route, and both sides of every threshold."""
from __future__ import annotations

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.guides.routes import ROUTE_NAMES, load_rules, opportunity_points
from bot.guides.routes import evaluate as evaluate_rules

RULES = load_rules(yaml.safe_load((PROJECT_ROOT / "knowledge" / "routes.yaml").read_text(encoding="utf-8")))
BLUE = RULES.threshold("blue_card_standard")
SHORTAGE = RULES.threshold("blue_card_shortage")
EXPERIENCE = RULES.threshold("experience_route_salary")
OLDER = RULES.threshold("age_45_salary")

WORKER = dict(citizenship="third", goal="work", qualification="academic", recognition="full", offer="yes",
              salary=BLUE, german="B1", english="B2", experience=3, age=30)


def fits(**answers) -> dict:
    """{route id: missing needs} for the routes that fit these answers (WORKER where not given)."""
    return {r.id: r.missing for r in evaluate_rules(RULES, {**WORKER, **answers})}


def test_the_rules_are_valid_and_every_route_has_a_name():
    assert RULES.problems == []
    assert {r["id"] for r in RULES.routes} <= set(ROUTE_NAMES)
    assert RULES.year == 2026


@pytest.mark.parametrize(
    ("answers", "route", "missing"),
    [
        ({"citizenship": "eu"}, "eu-free-movement", ()),
        ({"goal": "training", "offer": "yes", "german": "B1", "age": 20}, "vocational-training", ()),
        ({"goal": "training", "offer": "no", "german": "A2", "age": 20}, "vocational-training",
         ("training_contract", "german_b1")),
        ({"goal": "search", "german": "B1", "age": 22}, "training-place-search", ()),
        ({"recognition": "full", "qualification": "vocational", "salary": 40000}, "skilled-worker", ()),
        ({}, "blue-card", ()),
        ({"salary": SHORTAGE}, "blue-card-shortage", ()),
        ({"recognition": "partial", "german": "A2"}, "recognition-partnership", ()),
        ({"recognition": "none", "experience": 2, "salary": EXPERIENCE}, "experience-route", ()),
        ({"goal": "search", "recognition": "full", "offer": "no", "german": "A1"}, "opportunity-card", ()),
    ],
)
def test_every_route_is_found_with_what_is_missing(answers, route, missing):
    assert fits(**answers)[route] == missing


def test_eu_citizens_get_free_movement_only():
    assert list(fits(citizenship="eu")) == ["eu-free-movement"]


@pytest.mark.parametrize(
    ("salary", "standard", "shortage"),
    [(BLUE - 1, False, True), (BLUE, True, False), (SHORTAGE - 0.01, False, False), (SHORTAGE, False, True)],
)
def test_blue_card_salary_limits_of_the_year_in_force(salary, standard, shortage):
    routes = fits(salary=salary)
    assert (routes.get("blue-card") == ()) is standard
    assert ("blue-card-shortage" in routes) is shortage


@pytest.mark.parametrize(("age", "salary", "missing"), [
    (44, 40000, ()), (45, 40000, ("salary_45",)), (45, OLDER - 1, ("salary_45",)), (45, OLDER, ()),
])
def test_the_salary_rule_from_age_45(age, salary, missing):
    assert fits(age=age, salary=salary, qualification="vocational")["skilled-worker"] == missing


@pytest.mark.parametrize(("german", "missing"), [("A1", ("german_a2",)), ("A2", ()), ("none", ("german_a2",))])
def test_recognition_partnership_needs_a2(german, missing):
    assert fits(recognition="partial", german=german)["recognition-partnership"] == missing


@pytest.mark.parametrize(("age", "fits_route"), [(34, True), (35, False)])
def test_training_place_search_ends_at_35(age, fits_route):
    assert ("training-place-search" in fits(goal="search", german="B1", age=age)) is fits_route


@pytest.mark.parametrize(("experience", "salary", "missing"), [
    (1, EXPERIENCE, ("experience_2",)), (2, EXPERIENCE, ()), (2, EXPERIENCE - 1, ("salary_experience",)),
])
def test_experience_route_edges(experience, salary, missing):
    assert fits(recognition="none", experience=experience, salary=salary)["experience-route"] == missing


@pytest.mark.parametrize(("answers", "points"), [
    ({"recognition": "partial", "german": "B1", "english": "B2", "experience": 5, "age": 30}, 4 + 2 + 3 + 2),
    ({"recognition": "none", "german": "A2", "english": "C1", "experience": 2, "age": 39}, 1 + 1 + 2 + 1),
    ({"recognition": "none", "german": "A1", "english": "B1", "experience": 1, "age": 40}, 0),
])
def test_opportunity_card_points(answers, points):
    assert opportunity_points(RULES, answers) == points


@pytest.mark.parametrize(("answers", "missing"), [
    ({"german": "B1", "english": "B2", "experience": 5, "age": 39}, ()),          # 2 + 3 + 1 = 6 points
    ({"german": "B1", "english": "B2", "experience": 5, "age": 40}, ("points_6",)),  # 5 points
    ({"german": "none", "english": "B1", "experience": 5, "age": 30}, ("language_opportunity", "points_6")),
])
def test_opportunity_card_needs_6_points_and_a1_or_english_b2(answers, missing):
    route = fits(goal="search", recognition="none", offer="no", **answers)["opportunity-card"]
    assert route == missing


def test_not_sure_answers_are_gaps_to_clarify_not_exclusions():
    results = {r.id: r for r in evaluate_rules(RULES, {**WORKER, "salary": None, "recognition": None})}
    assert "salary_blue_card" in results["blue-card"].unknown
    assert results["blue-card"].missing == ()


def test_none_fits_yet_for_someone_without_a_qualification_or_goal_match():
    assert fits(qualification="none", goal="work") == {}
