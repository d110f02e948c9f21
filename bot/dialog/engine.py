"""The conversation: one incoming event and the person's stored state in, replies out.

Knows nothing of Telegram or terminals. Every button action is treated as untrusted input: what it
names is checked, and anything unknown or stale gets a fresh menu instead of an error.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.dialog import actions
from bot.dialog.answers import Answerer
from bot.dialog.types import Button, Incoming, Outcome, Reply
from bot.guides import help_finder, route_finder
from bot.guides.cache import GuideCache
from bot.handoff.hours import OfficeHours
from bot.handoff.person import PENDING_COMMENT, PENDING_QUESTION, PENDING_TOPIC, RATE, PersonSide, utc_now
from bot.i18n import DEFAULT_LANGUAGE, language_name, negotiate, translator
from bot.kb.model import LANGUAGES, SIDES
from bot.search.engine import ANSWER, CLARIFY, FALLBACK, SMALLTALK
from bot.store.cases import Cases
from bot.store.insights import Insights
from bot.store.people import People, Person


@dataclass(frozen=True)
class DialogSettings:
    advisors_connected: bool = False  # an advisors' group receives cases (Telegram with ADVISOR_CHAT_ID)
    retention_days: int = 180
    hours: OfficeHours | None = None
    clock: Callable[[], datetime] = utc_now


class Dialog:
    def __init__(
        self,
        answerer: Answerer,
        people: People,
        insights: Insights,
        cases: Cases,
        settings: DialogSettings | None = None,
    ) -> None:
        self.answers = answerer
        self.people = people
        self.insights = insights
        self.cases = cases
        self.settings = settings or DialogSettings()
        s = self.settings
        self.guides = GuideCache(answerer)
        self.handoff = PersonSide(
            answerer, people, cases, advisors_connected=s.advisors_connected, retention_days=s.retention_days,
            hours=s.hours, clock=s.clock,
        )

    async def handle(self, inc: Incoming) -> Outcome:
        person = await self.people.get(inc.person)
        if inc.action is not None:
            return await self._on_action(person, inc)
        if inc.command is not None:
            return await self._on_command(person, inc)
        if inc.media is not None:
            return await self._on_media(person, inc)
        return await self._on_text(person, inc)

    # --- helpers -------------------------------------------------------------------------
    @staticmethod
    def _lang(person: Person, inc: Incoming) -> str:
        return person.lang or negotiate(inc.lang_hint) or DEFAULT_LANGUAGE

    async def _save(self, person: Person) -> Person:
        await self.people.save(person)
        return person.with_(known=True)

    @staticmethod
    def _out(replies: list[Reply], lang: str, action: str, **kw) -> Outcome:
        return Outcome(replies, lang, action, **kw)

    # --- text ------------------------------------------------------------------------------
    async def _on_text(self, person: Person, inc: Incoming) -> Outcome:
        text = inc.text.strip()
        lang = self._lang(person, inc)
        if not text:
            return self._out([], lang, "ignored")
        case = await self.cases.open_for(person.person)
        if case is not None:
            return await self.handoff.relay(case, inc, lang)
        if person.pending and person.pending.startswith(PENDING_QUESTION):
            return await self.handoff.open_case(person, inc, text, lang)
        if person.pending and person.pending.startswith(PENDING_COMMENT):
            return await self.handoff.comment(person, text, lang)
        return await self._question(person, inc, text)

    async def _question(self, person: Person, inc: Incoming, text: str) -> Outcome:
        hint = person.lang or negotiate(inc.lang_hint)
        result = self.answers.searcher.search(text, hint, person.audience)
        lang = result.lang
        switch_offer = None
        if person.lang and lang != person.lang:
            if result.language_certain and result.action != SMALLTALK:
                switch_offer = lang
            else:
                lang = person.lang
        replies = self.answers.compose(result, lang)
        if switch_offer:
            replies.append(self._switch_offer(switch_offer))
        best = result.best.article if result.best and result.action == ANSWER else None
        if result.action != SMALLTALK:
            await self.people.save(person.with_(lang=person.lang or lang, pending=None), question=(text, best))
        if result.action in (CLARIFY, FALLBACK):
            top = result.best
            await self.insights.record_miss(text, lang, result.action, top.article if top else None,
                                            top.score if top else None)
        if not person.known:
            if result.action == SMALLTALK:
                await self._save(person.with_(lang=lang))
            replies = self._offer_languages(replies, lang, hint)
        return self._out(replies, lang, result.action, search=result)

    def _offer_languages(self, replies: list[Reply], lang: str, hint: str | None) -> list[Reply]:
        """A newcomer answered in the language their Telegram app uses gets a language button under the
        answer; anyone else is asked, as the language was only guessed from their words."""
        if hint != lang or not replies:
            return [*replies, self.answers.language_picker(lang, lang)]
        last = replies[-1]
        return [*replies[:-1], replace(last, buttons=(*last.buttons, (self.answers.language_button(lang),)))]

    def _switch_offer(self, lang: str) -> Reply:
        _ = translator(lang)
        name = language_name(lang, in_sentence=True)
        return Reply(
            _("I answered in {language}. Shall I keep using {language}?").format(language=name),
            lang,
            buttons=((Button("✓ " + language_name(lang), actions.make(actions.SWITCH, lang)),),),
        )

    async def _on_media(self, person: Person, inc: Incoming) -> Outcome:
        lang = self._lang(person, inc)
        _ = translator(lang)
        if inc.location and person.pending and person.pending.startswith(help_finder.PREFIX + ":where"):
            place = f"{inc.location[0]:.5f},{inc.location[1]:.5f}"
            state, reply = self.guides.help_finder().where(place, lang)
            await self.people.save(person.with_(pending=state))
            return self._out([reply], lang, "help-finder")
        case = await self.cases.open_for(person.person)
        if case is not None:
            return await self.handoff.relay(case, inc, lang)
        reply = Reply(
            _(
                "I can only read text messages. Please write your question in words. "
                "If you want to show this to a person, an advisor can look at it."
            ),
            lang,
            buttons=((self.answers.advisor_button(lang),),),
        )
        return self._out([reply], lang, "media")

    # --- commands --------------------------------------------------------------------------
    async def _on_command(self, person: Person, inc: Incoming) -> Outcome:
        lang = self._lang(person, inc)
        _ = translator(lang)
        command = inc.command or ""
        if command == "start":
            return await self._start(person, inc)
        if command == "help":
            return self._out([self._help(lang)], lang, "help")
        if command == "language":
            return self._out([self.answers.language_picker(lang, person.lang or lang)], lang, "language")
        if command == "topics":
            if person.audience is None:
                return self._out([self.answers.audience_picker(lang)], lang, "menu")
            return self._out([self.answers.topics_menu(lang, person.audience)], lang, "menu")
        if command == "advisor":
            return await self.handoff.start(person, lang, None)
        if command == "check":
            return await self._route_start(person, lang)
        if command == "nearby":
            return await self._near_start(person, lang)
        if command == "status":
            return await self.handoff.status(person, lang)
        if command in ("cancel", "skip"):
            if command == "skip" and person.pending and person.pending.startswith(PENDING_COMMENT):
                await self.people.save(person.with_(pending=None))
                return self._out([Reply(_("All right."), lang)], lang, "skip")
            return await self.handoff.cancel(person, lang)
        if command == "mydata":
            return await self._export(person, lang)
        if command == "delete":
            reply = Reply(
                _("Do you want me to delete everything stored about you, including your requests to advisors?"),
                lang,
                buttons=(
                    (
                        Button("🗑 " + _("Yes, delete everything"), actions.make(actions.DELETE, "yes")),
                        Button(_("No, keep it"), actions.make(actions.DELETE, "no")),
                    ),
                ),
            )
            return self._out([reply], lang, "delete")
        reply = Reply(_("I don't know that command."), lang)
        return self._out([reply, self._help(lang)], lang, "unknown-command")

    async def _start(self, person: Person, inc: Incoming) -> Outcome:
        arg = inc.argument.strip().lower()
        changes: dict = {}
        if arg in SIDES:
            changes["audience"] = arg
        elif arg.startswith("lang-") and arg[5:] in LANGUAGES:
            changes["lang"] = arg[5:]
        lang = changes.pop("lang", None) or self._lang(person, inc)
        person = await self._save(person.with_(lang=lang, **changes))
        _ = translator(lang)
        welcome = Reply(
            _(
                "Welcome! I answer questions about training, work and life in Sachsen-Anhalt, "
                "for people coming from abroad and for employers. I give general information with "
                "official sources, not legal advice, and I can connect you with a human advisor."
            ),
            lang,
        )
        if arg.startswith("topic-") and self.answers.is_topic(arg[6:]):
            return self._out([welcome, self.answers.topic_articles(arg[6:], lang, person.audience)], lang, "start")
        if not person.onboarded and not arg.startswith("lang-"):
            return self._out([welcome, self.answers.language_picker(lang, lang)], lang, "start")
        if person.audience is None:
            return self._out([welcome, self.answers.audience_picker(lang)], lang, "start")
        if not person.onboarded:
            await self._save(person.with_(onboarded=True))
        return self._out([welcome, self.answers.topics_menu(lang, person.audience)], lang, "start")

    def _help(self, lang: str) -> Reply:
        _ = translator(lang)
        text = "\n".join(
            [
                _("Write your question in your own words, in any of my languages. You can also use:"),
                "/topics " + _("browse all topics"),
                "/language " + _("change the language"),
                "/advisor " + _("talk to a human advisor"),
                "/check " + _("which route to Germany fits me?"),
                "/nearby " + _("counselling and authorities near me"),
                "/status " + _("see your request to an advisor"),
                "/mydata " + _("see everything stored about you"),
                "/delete " + _("delete everything stored about you"),
                "",
                _("I give general information with official sources, not legal advice."),
            ]
        )
        return Reply(
            text,
            lang,
            buttons=((Button("📚 " + _("Browse topics"), actions.MENU),), (self.answers.advisor_button(lang),)),
        )

    # --- buttons ---------------------------------------------------------------------------
    async def _on_action(self, person: Person, inc: Incoming) -> Outcome:
        lang = self._lang(person, inc)
        name, parts = actions.parse(inc.action or "")
        arg = parts[0] if parts else ""
        answers = self.answers
        if name == actions.LANG and not parts:
            return self._out([answers.language_picker(lang, person.lang or lang)], lang, "language")
        if name in (actions.LANG, actions.SWITCH) and arg in LANGUAGES and len(parts) == 1:
            person = await self._save(person.with_(lang=arg))
            _ = translator(arg)
            done = Reply(_("Done: I'll answer in {language}.").format(language=language_name(arg, True)), arg)
            if person.audience is None:
                return self._out([done, answers.audience_picker(arg)], arg, "language")
            if not person.onboarded:  # came by a deep link that named the audience: the menu is next
                await self._save(person.with_(onboarded=True))
                return self._out([done, answers.topics_menu(arg, person.audience)], arg, "language")
            return self._out([done], arg, "language")
        if name == actions.AUDIENCE and arg in SIDES and len(parts) == 1:
            person = await self._save(person.with_(lang=lang, audience=arg, onboarded=True))
            _ = translator(lang)
            thanks = Reply(_("Thank you! Ask me anything in your own words, or choose a topic:"), lang)
            return self._out([thanks, answers.topics_menu(lang, arg)], lang, "audience")
        if name == actions.MENU and len(parts) <= 1 and (not arg or arg in SIDES):
            audience = arg or person.audience
            if audience is None:
                return self._out([answers.audience_picker(lang)], lang, "menu")
            return self._out([answers.topics_menu(lang, audience)], lang, "menu")
        if name == actions.TOPIC and len(parts) == 1 and answers.is_topic(arg):
            return self._out([answers.topic_articles(arg, lang, person.audience)], lang, "menu")
        if name == actions.ARTICLE and len(parts) == 1 and answers.is_article(arg):
            if person.known:
                await self.people.remember_question(person.person, "[" + arg + "]", arg)
            return self._out([answers.article(arg, lang)], lang, "article")
        if name == actions.FEEDBACK and len(parts) == 2 and answers.is_article(arg) and parts[1] in ("0", "1"):
            return await self._feedback(arg, parts[1] == "1", lang)
        if name == actions.ADVISOR and len(parts) <= 1 and (not arg or answers.is_topic(arg)):
            return await self.handoff.start(person, lang, arg or None)
        if name == actions.CONSENT and arg in ("yes", "no") and person.pending:
            return await self.handoff.consent(person, lang, arg == "yes")
        if name == actions.CASE_TOPIC and person.pending == PENDING_TOPIC and (arg == "-" or answers.is_topic(arg)):
            return await self.handoff.choose_topic(person, lang, arg)
        if name == RATE and len(parts) == 2 and (rated := await self.handoff.rate(person, lang, *parts)):
            return rated
        if name == route_finder.ACTION and len(parts) == 2:
            if arg == "restart":
                return await self._route_start(person, lang)
            if person.pending and person.pending.startswith(route_finder.PREFIX + ":"):
                step = self.guides.route_finder().answer(person.pending, arg, parts[1], lang)
                if step is not None:
                    state, replies = step
                    await self.people.save(person.with_(pending=state))
                    return self._out(replies, lang, "route-finder" if state else "route-result")
        if name == help_finder.ACTION and len(parts) == 2:
            return await self._near_step(person, lang, arg, parts[1]) or self._out(
                answers.expired(lang, person.audience), lang, "expired")
        if name == actions.DELETE and arg in ("yes", "no"):
            return await self._delete(person, lang, arg == "yes")
        return self._out(answers.expired(lang, person.audience), lang, "expired")

    async def _route_start(self, person: Person, lang: str) -> Outcome:
        state, reply = self.guides.route_finder().start(lang)
        await self._save(person.with_(lang=lang, pending=state))
        return self._out([reply], lang, "route-finder")

    async def _near_start(self, person: Person, lang: str) -> Outcome:
        state, reply = self.guides.help_finder().start(lang)
        await self._save(person.with_(lang=lang, pending=state))
        return self._out([reply], lang, "help-finder")

    async def _near_step(self, person: Person, lang: str, kind: str, value: str) -> Outcome | None:
        finder = self.guides.help_finder()
        if kind == "start":
            return await self._near_start(person, lang)
        pending = person.pending or ""
        if kind == "area" and pending.startswith(help_finder.PREFIX + ":where") and value in finder.directory.areas:
            state, reply = finder.where(value, lang)
            await self.people.save(person.with_(pending=state))
            return self._out([reply], lang, "help-finder")
        if kind == "need" and pending.startswith(help_finder.PREFIX + ":need:") and value in help_finder.NEEDS:
            place = pending.split(":", 2)[2]
            await self.people.save(person.with_(pending=None))
            return self._out(finder.result(place, value, lang), lang, "help-result")
        return None

    async def _feedback(self, article: str, helpful: bool, lang: str) -> Outcome:
        _ = translator(lang)
        await self.insights.record_feedback(article, lang, helpful)
        if helpful:
            return self._out([Reply(_("Thank you for your feedback!"), lang)], lang, "feedback")
        topic = self.answers.kb.articles[article].topics[0]
        reply = Reply(
            _("Thank you for telling me. I'm sorry this did not help. A human advisor can look at your case."),
            lang,
            buttons=((self.answers.advisor_button(lang, topic),),),
        )
        return self._out([reply], lang, "feedback")

    # --- personal data ---------------------------------------------------------------------
    async def _export(self, person: Person, lang: str) -> Outcome:
        _ = translator(lang)
        data = {**await self.people.export(person.person), "cases": await self.cases.export(person.person)}
        reply = Reply(_("Here is everything stored about you."), lang)
        return self._out([reply], lang, "mydata", events=[{"type": "export", "data": data}])

    async def _delete(self, person: Person, lang: str, confirmed: bool) -> Outcome:
        _ = translator(lang)
        if not confirmed:
            return self._out([Reply(_("Nothing was deleted."), lang)], lang, "delete")
        erased = await self.cases.delete_person(person.person)
        await self.people.delete(person.person)
        reply = Reply(_("Everything stored about you has been deleted. If you write again, I'll start afresh."), lang)
        cases = [{"id": c.id, "thread_id": c.thread_id} for c in erased]
        return self._out([reply], lang, "deleted", events=[{"type": "erased", "cases": cases}])
