"""The conversation: one incoming event and the person's stored state in, replies out.

Knows nothing of Telegram or terminals. Every button action is treated as untrusted input: what it
names is checked, and anything unknown or stale gets a fresh menu instead of an error.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.dialog import actions
from bot.dialog.answers import Answerer
from bot.dialog.types import Button, Incoming, Outcome, Reply
from bot.i18n import DEFAULT_LANGUAGE, language_name, negotiate, translator
from bot.kb.model import LANGUAGES
from bot.search.engine import ANSWER, CLARIFY, FALLBACK, SMALLTALK
from bot.store.cases import CANCELLED, Cases
from bot.store.insights import Insights
from bot.store.people import People, Person

AUDIENCES = ("candidate", "employer")
COMMANDS = ("start", "help", "language", "topics", "advisor", "status", "cancel", "mydata", "delete")
PENDING_CONSENT, PENDING_TOPIC, PENDING_QUESTION = "consent", "case-topic", "question"


@dataclass(frozen=True)
class DialogSettings:
    advisors_connected: bool = False  # an advisors' group receives cases (Telegram with ADVISOR_CHAT_ID)
    retention_days: int = 180


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
            await self.cases.add_message(case.id, "in", text)
            return self._out([self._relayed(lang, case.id)], lang, "relay", events=[{"type": "relay", "case": case.id}])
        if person.pending and person.pending.startswith(PENDING_QUESTION):
            return await self._open_case(person, inc, text, lang)
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
            replies.append(self.answers.language_picker(lang, lang))
        return self._out(replies, lang, result.action, search=result)

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
        case = await self.cases.open_for(person.person)
        if case is not None:
            await self.cases.add_message(case.id, "in", inc.text or None, kind=inc.media or "media")
            return self._out([self._relayed(lang, case.id)], lang, "relay", events=[{"type": "relay", "case": case.id}])
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
            return await self._advisor_start(person, lang, None)
        if command == "status":
            return await self._status(person, lang)
        if command == "cancel":
            return await self._cancel(person, lang)
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
        if arg in AUDIENCES:
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
        if name == actions.AUDIENCE and arg in AUDIENCES and len(parts) == 1:
            person = await self._save(person.with_(lang=lang, audience=arg, onboarded=True))
            _ = translator(lang)
            thanks = Reply(_("Thank you! Ask me anything in your own words, or choose a topic:"), lang)
            return self._out([thanks, answers.topics_menu(lang, arg)], lang, "audience")
        if name == actions.MENU and len(parts) <= 1 and (not arg or arg in AUDIENCES):
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
            return await self._advisor_start(person, lang, arg or None)
        if name == actions.CONSENT and arg in ("yes", "no") and person.pending:
            return await self._consent(person, lang, arg == "yes")
        if name == actions.CASE_TOPIC and person.pending == PENDING_TOPIC and (arg == "-" or answers.is_topic(arg)):
            await self.people.save(person.with_(pending=f"{PENDING_QUESTION}:{arg}"))
            return self._out([self._ask_question(lang)], lang, "advisor")
        if name == actions.DELETE and arg in ("yes", "no"):
            return await self._delete(person, lang, arg == "yes")
        return self._out(answers.expired(lang, person.audience), lang, "expired")

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

    # --- advisors --------------------------------------------------------------------------
    async def _advisor_start(self, person: Person, lang: str, topic: str | None) -> Outcome:
        _ = translator(lang)
        case = await self.cases.open_for(person.person)
        if case is not None:
            return await self._status(person, lang)
        await self._save(person.with_(lang=lang, pending=f"{PENDING_CONSENT}:{topic or '-'}"))
        text = _(
            "Before I pass your question to a human advisor: the advisors will see your first name, "
            "your language, whether you are a candidate or an employer, your question and your last "
            "questions to me. Everything is kept until your request is closed and deleted at the "
            "latest {days} days later. You can delete it at any time with /delete. Do you agree?"
        ).format(days=self.settings.retention_days)
        reply = Reply(
            text,
            lang,
            buttons=(
                (
                    Button("✅ " + _("Yes, connect me"), actions.make(actions.CONSENT, "yes")),
                    Button(_("No, thanks"), actions.make(actions.CONSENT, "no")),
                ),
            ),
        )
        return self._out([reply], lang, "advisor")

    async def _consent(self, person: Person, lang: str, agreed: bool) -> Outcome:
        _ = translator(lang)
        if not person.pending or not person.pending.startswith(PENDING_CONSENT + ":"):
            return self._out(self.answers.expired(lang, person.audience), lang, "expired")
        if not agreed:
            await self.people.save(person.with_(pending=None))
            reply = Reply(_("All right. Nothing was passed on. Ask me anything else."), lang)
            return self._out([reply], lang, "advisor")
        topic = person.pending.split(":", 1)[1]
        if topic != "-":
            await self.people.save(person.with_(pending=f"{PENDING_QUESTION}:{topic}"))
            return self._out([self._ask_question(lang)], lang, "advisor")
        await self.people.save(person.with_(pending=PENDING_TOPIC))
        topics = [t for t in self.answers.kb.topics.values() if t.serves(person.audience)]
        buttons = tuple(
            (Button(t.titles.get(lang, t.id), actions.make(actions.CASE_TOPIC, t.id)),) for t in topics
        )
        reply = Reply(
            _("What is your question about? You can also skip this."),
            lang,
            buttons=(*buttons, (Button(_("Skip"), actions.make(actions.CASE_TOPIC, "-")),)),
        )
        return self._out([reply], lang, "advisor")

    def _ask_question(self, lang: str) -> Reply:
        _ = translator(lang)
        return Reply(_("Please write your question for the advisors in one message."), lang)

    async def _open_case(self, person: Person, inc: Incoming, text: str, lang: str) -> Outcome:
        _ = translator(lang)
        topic = (person.pending or "").partition(":")[2]
        case = await self.cases.open(
            person.person, lang, person.audience, None if topic in ("", "-") else topic, inc.first_name, text
        )
        await self.people.save(person.with_(pending=None))
        if self.settings.advisors_connected:
            text_out = _(
                "Thank you. Your question went to our advisors as request #{case}. A person will answer "
                "you here. Until then, everything you send goes to them. /status shows your request, "
                "/cancel withdraws it."
            ).format(case=case.id)
        else:
            text_out = _(
                "Thank you. Your request was recorded as #{case}. No advisor is connected to this chat, "
                "so nobody will answer here. For personal advice, please contact a counselling service "
                "in Sachsen-Anhalt, such as the WelcomeCenter Sachsen-Anhalt. /cancel withdraws the request."
            ).format(case=case.id)
        event = {"type": "case_opened", "case": case.id}
        return self._out([Reply(text_out, lang)], lang, "case-opened", events=[event])

    def _relayed(self, lang: str, case_id: int) -> Reply:
        _ = translator(lang)
        if self.settings.advisors_connected:
            return Reply(_("Passed on to your advisor (request #{case}).").format(case=case_id), lang)
        return Reply(_("Added to your request #{case}.").format(case=case_id), lang)

    async def _status(self, person: Person, lang: str) -> Outcome:
        _ = translator(lang)
        case = await self.cases.open_for(person.person)
        if case is None:
            reply = Reply(
                _("You have no open request to an advisor."), lang, buttons=((self.answers.advisor_button(lang),),)
            )
        else:
            reply = Reply(
                _("Your request #{case} is open. An advisor will answer you here. /cancel withdraws it.").format(
                    case=case.id
                ),
                lang,
            )
        return self._out([reply], lang, "status")

    async def _cancel(self, person: Person, lang: str) -> Outcome:
        _ = translator(lang)
        case = await self.cases.open_for(person.person)
        if person.pending:
            await self.people.save(person.with_(pending=None))
        if case is None:
            return self._out([Reply(_("There is nothing to cancel."), lang)], lang, "cancel")
        await self.cases.set_status(case.id, CANCELLED)
        reply = Reply(
            _("Your request #{case} was withdrawn. I'm answering your questions again.").format(case=case.id), lang
        )
        return self._out([reply], lang, "cancel", events=[{"type": "case_cancelled", "case": case.id}])

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
        return self._out([reply], lang, "deleted", events=[{"type": "erased", "cases": erased}])
