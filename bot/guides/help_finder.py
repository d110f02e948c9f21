""""Where do I get help near me?": pick a district or share a location, pick a need, get the nearest points.

The directory is knowledge/contacts.yaml (checked by kb check). State travels in ``pending`` ("near:<step>:<where>").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.dialog import actions
from bot.dialog.answers import Answerer
from bot.dialog.types import Button, Reply
from bot.i18n import N_, translator
from bot.kb.checks import url_problem
from bot.search.normalize import key

PREFIX = "near"
ACTION = actions.HELP_FINDER
SHOWN = 5
KINDS = ("counselling", "foreigners-authority", "chamber", "authority", "employment-agency")
# What people can ask for, and the topics of the contact points that help with it.
NEEDS = {
    "residence": (N_("Residence permit, visa, registration"), {"after-arrival", "visa-entry", "family-reunification"}),
    "recognition": (N_("Recognition of my qualification"), {"recognition", "recognition-funding"}),
    "work": (N_("Rights at work, pay, contract"), {"work-rights", "fair-recruitment"}),
    "training": (N_("Vocational training and jobs"), {"prospects", "career", "language-germany"}),
    "employer": (N_("Help for employers"), {"employer-hiring", "employer-funding", "networks", "welcome-culture"}),
    "general": (N_("Anything: first advice"), {"contact-advisor", "mentoring", "everyday-life"}),
}


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    kind: str
    topics: frozenset[str]
    serves: frozenset[str]
    web: str
    lat: float
    lon: float
    address: str | None = None
    languages: tuple[str, ...] = ()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), good to a few hundred metres at these distances."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def map_link(lat: float, lon: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=16/{lat:.5f}/{lon:.5f}"


class Directory:
    """The areas and contact points of contacts.yaml; ``problems`` lists what kb check reports."""

    def __init__(self, data: dict, domains: tuple[str, ...], topics: set[str]) -> None:
        self.problems: list[str] = []
        self.areas: dict[str, Area] = {}
        self.contacts: list[Contact] = []
        for raw in (data or {}).get("areas") or []:
            try:
                area = Area(str(raw["id"]), str(raw["name"]), float(raw["lat"]), float(raw["lon"]))
            except (KeyError, TypeError, ValueError):
                self.problems.append(f"areas: {raw!r}: needs id, name, lat and lon")
                continue
            self.areas[area.id] = area
        for raw in (data or {}).get("contacts") or []:
            self._add_contact(raw, domains, topics)

    def _add_contact(self, raw: dict, domains: tuple[str, ...], topics: set[str]) -> None:
        cid = str(raw.get("id", "?"))
        problems = []
        for required in ("name", "kind", "topics", "serves", "web", "lat", "lon", "source", "reviewed"):
            if raw.get(required) in (None, "", []):
                problems.append(f"contacts.{cid}.{required}: missing")
        if raw.get("kind") not in KINDS:
            problems.append(f"contacts.{cid}.kind: must be one of {', '.join(KINDS)}")
        unknown_topics = set(raw.get("topics") or []) - topics
        if unknown_topics:
            problems.append(f"contacts.{cid}.topics: unknown topic ids {sorted(unknown_topics)}")
        serves = set(raw.get("serves") or [])
        if serves - {"all"} - set(self.areas):
            problems.append(f"contacts.{cid}.serves: unknown areas {sorted(serves - {'all'} - set(self.areas))}")
        for field_name in ("web", "source"):
            if raw.get(field_name) and (problem := url_problem(str(raw[field_name]), domains)):
                problems.append(f"contacts.{cid}.{field_name}: {problem}")
        if "phone" in raw:
            problems.append(f"contacts.{cid}.phone: phone numbers are not kept in the directory")
        if problems:
            self.problems += problems
            return
        self.contacts.append(Contact(
            cid, str(raw["name"]), raw["kind"], frozenset(raw["topics"]), frozenset(serves), str(raw["web"]),
            float(raw["lat"]), float(raw["lon"]), raw.get("address"), tuple(raw.get("languages") or ()),
        ))

    def nearest(self, need: str, lat: float, lon: float, area: str | None = None) -> list[tuple[Contact, float]]:
        """Contact points for a need, those responsible for the area first, then nearest first."""
        topics = NEEDS[need][1]
        found = []
        for contact in self.contacts:
            if not contact.topics & topics:
                continue
            if contact.kind == "foreigners-authority" and area and area not in contact.serves:
                continue  # another district's authority is not responsible for this person
            responsible = area in contact.serves or "all" in contact.serves
            found.append((not responsible, distance_km(lat, lon, contact.lat, contact.lon), contact))
        found.sort(key=lambda item: (item[0], item[1]))
        return [(contact, km) for _, km, contact in found[:SHOWN]]

    def area_named(self, text: str) -> Area | None:
        """The area a place name means ("halle", "Landkreis Harz", "Wernigerode" is not known: None)."""
        names = {a.id: f"{key(a.name)} {a.id.replace('-', ' ')}" for a in self.areas.values()}
        words = " ".join(w for w in key(text).split() if w not in ("landkreis", "kreis", "stadt", "lk"))
        best = process.extractOne(words, names, scorer=fuzz.token_set_ratio, score_cutoff=85)
        return self.areas[best[2]] if best else None


class HelpFinder:
    def __init__(self, answers: Answerer, directory: Directory) -> None:
        self.answers = answers
        self.directory = directory

    def start(self, lang: str) -> tuple[str, Reply]:
        _ = translator(lang)
        areas = sorted(self.directory.areas.values(), key=lambda a: a.name)
        buttons = [Button(a.name, f"{ACTION}:area:{a.id}") for a in areas]
        rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
        text = _("Where do you need help? Choose your district or city, or share your location.")
        return f"{PREFIX}:where:", Reply(text, lang, buttons=rows)

    def where(self, place: str, lang: str) -> tuple[str, Reply]:
        """After the place (an area id, or "lat,lon" from a shared location): what is needed?"""
        _ = translator(lang)
        buttons = tuple((Button(_(label), f"{ACTION}:need:{key}"),) for key, (label, _t) in NEEDS.items())
        return f"{PREFIX}:need:{place}", Reply(_("What do you need help with?"), lang, buttons=buttons)

    def result(self, place: str, need: str, lang: str) -> list[Reply]:
        _ = translator(lang)
        area = self.directory.areas.get(place)
        if area is not None:
            lat, lon, area_id = area.lat, area.lon, area.id
        else:
            lat, lon = (float(x) for x in place.split(","))
            nearest_area = min(self.directory.areas.values(), key=lambda a: distance_km(lat, lon, a.lat, a.lon))
            area_id = nearest_area.id
        found = self.directory.nearest(need, lat, lon, area_id)
        if not found:
            return [Reply(_("I found no contact point for this. An advisor can help you further."), lang,
                          buttons=((self.answers.advisor_button(lang),),))]
        lines = [_("These places can help you, nearest first:")]
        for contact, km in found:
            lines += ["", f"• {contact.name} (~{km:.0f} km)"]
            if contact.address:
                lines.append(f"  {contact.address}")
            lines.append(f"  {contact.web}")
            lines.append("  " + _("Map: {link}").format(link=map_link(contact.lat, contact.lon)))
        lines += ["", _("Opening hours and appointments are on their web pages. This list may be incomplete.")]
        return [Reply("\n".join(lines), lang, buttons=((self.answers.advisor_button(lang, "contact-advisor"),),))]
