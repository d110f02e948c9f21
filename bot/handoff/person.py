"""The person's side of talking to a human advisor: consent, question, relaying, status, rating.

Plain data in, replies out, like the rest of the dialog; the Telegram desk carries cases to the advisors.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.dialog import actions
from bot.dialog.answers import Answerer
from bot.dialog.types import Button, Incoming, Outcome, Reply
from bot.handoff.hours import OfficeHours
from bot.i18n import translator
from bot.store.cases import CANCELLED, CLOSED, IN, Case, Cases
from bot.store.people import People, Person

PENDING_CONSENT, PENDING_TOPIC, PENDING_QUESTION, PENDING_COMMENT = "consent", "case-topic", "question", "comment"
RATE = actions.RATE
STARS = ("1", "2", "3", "4", "5")


class PersonSide:
    def __init__(
        self,
        answers: Answerer,
        people: People,
        cases: Cases,
        *,
        advisors_connected: bool,
        retention_days: int,
        hours: OfficeHours | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.answers = answers
        self.people = people
        self.cases = cases
        self.advisors_connected = advisors_connected
        self.retention_days = retention_days
        self.hours = hours
        self.clock = clock

    # --- asking for an advisor ------------------------------------------------------------------
    async def start(self, person: Person, lang: str, topic: str | None) -> Outcome:
        _ = translator(lang)
        if await self.cases.open_for(person.person) is not None:
            return await self.status(person, lang)
        await self.people.save(person.with_(lang=lang, pending=f"{PENDING_CONSENT}:{topic or '-'}"))
        text = _(
            "Before I pass your question to a human advisor: the advisors will see your first name, "
            "your language, whether you are a candidate or an employer, your question and your last "
            "questions to me. Everything is kept until your request is closed and deleted at the "
            "latest {days} days later. You can delete it at any time with /delete. Do you agree?"
        ).format(days=self.retention_days)
        buttons = (
            (
                Button("✅ " + _("Yes, connect me"), actions.make(actions.CONSENT, "yes")),
                Button(_("No, thanks"), actions.make(actions.CONSENT, "no")),
            ),
        )
        return Outcome([Reply(text, lang, buttons=buttons)], lang, "advisor")

    async def consent(self, person: Person, lang: str, agreed: bool) -> Outcome:
        _ = translator(lang)
        if not person.pending or not person.pending.startswith(PENDING_CONSENT + ":"):
            return Outcome(self.answers.expired(lang, person.audience), lang, "expired")
        if not agreed:
            await self.people.save(person.with_(pending=None))
            return Outcome([Reply(_("All right. Nothing was passed on. Ask me anything else."), lang)], lang, "advisor")
        topic = person.pending.split(":", 1)[1]
        if topic != "-":
            await self.people.save(person.with_(pending=f"{PENDING_QUESTION}:{topic}"))
            return Outcome([self._ask_question(lang)], lang, "advisor")
        await self.people.save(person.with_(pending=PENDING_TOPIC))
        topics = [t for t in self.answers.kb.topics.values() if t.serves(person.audience)]
        buttons = tuple((Button(t.titles.get(lang, t.id), actions.make(actions.CASE_TOPIC, t.id)),) for t in topics)
        reply = Reply(
            _("What is your question about? You can also skip this."),
            lang,
            buttons=(*buttons, (Button(_("Skip"), actions.make(actions.CASE_TOPIC, "-")),)),
        )
        return Outcome([reply], lang, "advisor")

    async def choose_topic(self, person: Person, lang: str, topic: str) -> Outcome:
        await self.people.save(person.with_(pending=f"{PENDING_QUESTION}:{topic}"))
        return Outcome([self._ask_question(lang)], lang, "advisor")

    def _ask_question(self, lang: str) -> Reply:
        _ = translator(lang)
        return Reply(_("Please write your question for the advisors in one message."), lang)

    async def open_case(self, person: Person, inc: Incoming, text: str, lang: str) -> Outcome:
        _ = translator(lang)
        topic = (person.pending or "").partition(":")[2]
        case = await self.cases.open(
            person.person, lang, person.audience, None if topic in ("", "-") else topic, inc.first_name, text,
            source_ref=inc.ref,
        )
        await self.people.save(person.with_(pending=None))
        if self.advisors_connected:
            lines = [
                _(
                    "Thank you. Your question went to our advisors as request #{case}. A person will answer "
                    "you here, usually within one working day. Until then, everything you send goes to them. "
                    "/status shows your request, /cancel withdraws it."
                ).format(case=case.id)
            ]
            lines += self._hours_lines(lang)
        else:
            lines = [
                _(
                    "Thank you. Your request was recorded as #{case}. No advisor is connected to this chat, "
                    "so nobody will answer here. For personal advice, please contact a counselling service "
                    "in Sachsen-Anhalt, such as the WelcomeCenter Sachsen-Anhalt. /cancel withdraws the request."
                ).format(case=case.id)
            ]
        event = {"type": "case_opened", "case": case.id}
        return Outcome([Reply("\n\n".join(lines), lang)], lang, "case-opened", events=[event])

    def _hours_lines(self, lang: str, always: bool = True) -> list[str]:
        """Office hours, and when the advisors are back if they are out right now."""
        if self.hours is None:
            return []
        _ = translator(lang)
        lines = []
        if always:
            lines.append(_("Office hours: {hours} (German time).").format(hours=self.hours.describe(lang)))
        now = self.clock()
        if not self.hours.is_open(now):
            when = self.hours.format_opening(now, lang)
            back = _("The advisors are out of the office right now and will be back on {when}.")
            lines.append(back.format(when=when))
        return lines

    # --- while a case is open -------------------------------------------------------------------
    async def relay(self, case: Case, inc: Incoming, lang: str) -> Outcome:
        """Everything the person sends goes to the case; a repeat of the same message is stored once."""
        _ = translator(lang)
        recorded = await self.cases.add_message(
            case.id, IN, inc.text or None, kind=inc.media or "text", source_ref=inc.ref, reply_to_ref=inc.reply_to
        )
        if recorded is None:
            return Outcome([], lang, "duplicate")
        if self.advisors_connected:
            lines = [_("Passed on to your advisor (request #{case}).").format(case=case.id)]
            lines += self._hours_lines(lang, always=False)
        else:
            lines = [_("Added to your request #{case}.").format(case=case.id)]
        return Outcome([Reply(" ".join(lines), lang)], lang, "relay", events=[{"type": "relay", "case": case.id}])

    async def status(self, person: Person, lang: str) -> Outcome:
        _ = translator(lang)
        case = await self.cases.open_for(person.person)
        if case is None:
            reply = Reply(
                _("You have no open request to an advisor."), lang, buttons=((self.answers.advisor_button(lang),),)
            )
            return Outcome([reply], lang, "status")
        lines = [
            _("Your request #{case} is open. An advisor will answer you here. /cancel withdraws it.").format(
                case=case.id
            )
        ]
        if self.advisors_connected:
            lines += self._hours_lines(lang)
        return Outcome([Reply("\n\n".join(lines), lang)], lang, "status")

    async def cancel(self, person: Person, lang: str) -> Outcome:
        _ = translator(lang)
        case = await self.cases.open_for(person.person)
        if person.pending:
            await self.people.save(person.with_(pending=None))
        if case is None:
            return Outcome([Reply(_("There is nothing to cancel."), lang)], lang, "cancel")
        await self.cases.set_status(case.id, CANCELLED)
        reply = Reply(
            _("Your request #{case} was withdrawn. I'm answering your questions again.").format(case=case.id), lang
        )
        return Outcome([reply], lang, "cancel", events=[{"type": "case_cancelled", "case": case.id}])

    # --- the advisor closes or reopens ----------------------------------------------------------
    async def closed(self, case: Case) -> list[Reply]:
        """What the person hears when an advisor closes the case: the bot answers again, and a rating."""
        _ = translator(case.lang)
        text = _(
            "Your request #{case} has been closed by the advisor. I'm answering your questions again. "
            "How helpful was the advice? (1 = not at all, 5 = very helpful)"
        ).format(case=case.id)
        stars = tuple(Button(f"{n} ★", actions.make(RATE, str(case.id), n)) for n in STARS)
        return [Reply(text, case.lang, buttons=(stars,))]

    async def reopened(self, case: Case) -> list[Reply]:
        _ = translator(case.lang)
        text = _("Your request #{case} was reopened. An advisor will answer you here.").format(case=case.id)
        return [Reply(text, case.lang)]

    async def rate(self, person: Person, lang: str, case_id: str, stars: str) -> Outcome | None:
        """None when the button does not belong to this person's closed case (then it has expired)."""
        case = await self.cases.get(int(case_id)) if case_id.isdigit() else None
        if case is None or case.person != person.person or case.status != CLOSED or stars not in STARS:
            return None
        _ = translator(lang)
        await self.cases.rate(case.id, rating=int(stars))
        await self.people.save(person.with_(pending=f"{PENDING_COMMENT}:{case.id}"))
        reply = Reply(_("Thank you! If you like, write a short comment about the advice now, or send /skip."), lang)
        return Outcome([reply], lang, "rated")

    async def comment(self, person: Person, text: str, lang: str) -> Outcome:
        _ = translator(lang)
        case_id = int((person.pending or "").partition(":")[2] or 0)
        await self.cases.rate(case_id, comment=text)
        await self.people.save(person.with_(pending=None))
        return Outcome([Reply(_("Thank you for your comment!"), lang)], lang, "commented")


def utc_now() -> datetime:
    return datetime.now(UTC)
