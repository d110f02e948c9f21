"""The guided checks in the dialog, in every language: the route finder and the local help finder."""
from __future__ import annotations

import pytest

from bot.dialog.types import Incoming
from bot.guides.help_finder import distance_km
from bot.i18n import translator
from bot.kb.model import LANGUAGES

PERSON = "guide:1"


async def send(dialog, **kw):
    return await dialog.handle(Incoming(person=PERSON, **kw))


def actions_of(outcome) -> list[str]:
    return [b.action for r in outcome.replies for row in r.buttons for b in row]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_route_finder_walks_through_and_names_routes_best_first(dialog, kb, lang):
    await send(dialog, command="start", lang_hint=lang)
    first = await send(dialog, command="check", lang_hint=lang)
    assert first.action == "route-finder"
    assert first.replies[0].text.endswith(translator(lang)("Are you a citizen of an EU or EEA country or of "
                                                           "Switzerland?"))
    assert "rf:c:?" in actions_of(first), "every step can be answered with not sure"
    steps = 0
    outcome = first
    choice = {"c": "third", "g": "work", "q": "uni-comparable", "o": "50700", "de": "A2", "en": "B2", "x": "5",
              "a": "34"}
    while outcome.action == "route-finder":
        step = actions_of(outcome)[0].split(":")[1]
        outcome = await send(dialog, action=f"rf:{step}:{choice[step]}")
        steps += 1
    assert steps <= 7
    assert outcome.action == "route-result"
    result = outcome.replies[0]
    assert translator(lang)("EU Blue Card (§ 18g)") in result.text
    assert result.text.index(translator(lang)("EU Blue Card (§ 18g)")) < result.text.index("§ 16d")
    assert result.sources and all(s.startswith("https://") for s in result.sources)
    assert "art:visa-blue-card" in actions_of(outcome)
    assert any(a.startswith("adv") for a in actions_of(outcome))


async def test_an_eu_citizen_is_done_after_one_question(dialog):
    await send(dialog, command="check", lang_hint="en")
    outcome = await send(dialog, action="rf:c:eu")
    assert outcome.action == "route-result"
    assert "Free movement for EU, EEA and Swiss citizens" in outcome.replies[0].text
    assert "not a decision of an authority" in outcome.replies[0].text


async def test_not_sure_everywhere_still_gives_an_honest_orientation(dialog):
    outcome = await send(dialog, command="check", lang_hint="en")
    steps = 0
    while outcome.action == "route-finder":
        step = actions_of(outcome)[0].split(":")[1]
        outcome = await send(dialog, action=f"rf:{step}:?")
        steps += 1
    assert steps <= 8, "even the longest path stays short"
    text = outcome.replies[0].text
    assert outcome.action == "route-result" and "To clarify" in text


async def test_someone_without_a_route_hears_what_would_open_one(dialog):
    outcome = await send(dialog, command="check", lang_hint="en")
    answers = {"c": "third", "g": "work", "q": "none", "o": "no", "de": "none", "en": "A2", "x": "1", "a": "45"}
    while outcome.action == "route-finder":
        step = actions_of(outcome)[0].split(":")[1]
        outcome = await send(dialog, action=f"rf:{step}:{answers[step]}")
    assert "No route fits your answers yet" in outcome.replies[0].text


async def test_a_stale_route_button_gets_a_fresh_menu(dialog):
    await send(dialog, command="check", lang_hint="en")
    stale = await send(dialog, action="rf:a:34")  # answers a question that was not asked
    assert stale.action == "expired"


def test_route_articles_offer_the_route_finder(answerer):
    reply = answerer.article("visa-blue-card", "de")
    assert "rf:restart:-" in [b.action for row in reply.buttons for b in row]


def test_distances_are_plausible():
    magdeburg, halle = (52.1205, 11.6276), (51.4825, 11.9697)
    assert 70 < distance_km(*magdeburg, *halle) < 80


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_help_finder_by_district(dialog, lang):
    start = await send(dialog, command="nearby", lang_hint=lang)
    assert start.action == "help-finder" and "hf:area:halle" in actions_of(start)
    need = await send(dialog, action="hf:area:halle")
    assert "hf:need:residence" in actions_of(need)
    result = await send(dialog, action="hf:need:residence")
    text = result.replies[0].text
    assert result.action == "help-result"
    assert "openstreetmap.org" in text
    first = text.split("•")[1]
    assert "Ausländerbehörde" in first and "Halle" in first, "the authority responsible for Halle comes first"


async def test_a_shared_location_finds_the_nearest_points(dialog):
    await send(dialog, command="nearby", lang_hint="de")
    # a location in Wernigerode (district Harz)
    asked = await send(dialog, media="location", location=(51.8350, 10.7853))
    assert asked.action == "help-finder"
    result = await send(dialog, action="hf:need:residence")
    first = result.replies[0].text.split("•")[1]
    assert "Harz" in first


async def test_only_the_responsible_foreigners_authority_is_listed(kb, answerer):
    from bot.guides.help_finder import Directory

    directory = Directory(kb.contacts, kb.domains, set(kb.topics))
    area = directory.areas["magdeburg"]
    found = directory.nearest("residence", area.lat, area.lon, "magdeburg")
    authorities = [c for c, _ in found if c.kind == "foreigners-authority"]
    assert [set(c.serves) for c in authorities] == [{"magdeburg"}]


def test_the_directory_is_complete_and_has_no_phone_numbers(kb):
    from bot.guides.help_finder import Directory

    directory = Directory(kb.contacts, kb.domains, set(kb.topics))
    assert directory.problems == []
    assert len(directory.areas) == 14
    names = " ".join(c.name for c in directory.contacts)
    for required in ("WelcomeCenter", "IQ", "KAUSA", "Faire Integration", "LAMSA", "IHK Halle-Dessau",
                     "IHK Magdeburg", "Landesverwaltungsamt"):
        assert required in names
    assert "phone" not in str(kb.contacts)


def test_articles_that_send_people_to_the_authority_link_the_finder(answerer):
    reply = answerer.article("arrival-residence-permit", "en")
    assert "hf:start:-" in [b.action for row in reply.buttons for b in row]
