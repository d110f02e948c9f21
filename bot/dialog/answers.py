"""Composing what the person sees: articles, choices, menus and pickers. No state, no storage."""
from __future__ import annotations

from bot.dialog import actions
from bot.dialog.types import Button, Outcome, Reply
from bot.i18n import language_name, translator
from bot.kb.model import LANGUAGES, KnowledgeBase
from bot.search.engine import ANSWER, CLARIFY, SMALLTALK, Searcher, SearchResult

RELATED_SHOWN = 3


def _rows(buttons: list[Button], per_row: int = 1) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


class Answerer:
    def __init__(self, kb: KnowledgeBase, searcher: Searcher) -> None:
        self.kb = kb
        self.searcher = searcher

    # --- questions -------------------------------------------------------------------------
    def answer(self, text: str, lang_hint: str | None, audience: str | None) -> Outcome:
        """Search ``text`` and reply in the language it was written in (``ask`` and benchmarks)."""
        result = self.searcher.search(text, lang_hint, audience)
        return Outcome(self.compose(result, result.lang), result.lang, result.action, result)

    def compose(self, result: SearchResult, lang: str) -> list[Reply]:
        if result.action == SMALLTALK:
            return [self.smalltalk(result.smalltalk or "", lang)]
        if result.action == ANSWER and result.best:
            return [self.article(result.best.article, lang)]
        if result.action == CLARIFY:
            return [self.clarify(result, lang)]
        return [self.fallback(lang, outside=result.outside is not None)]

    def article(self, article_id: str, lang: str) -> Reply:
        _ = translator(lang)
        article = self.kb.articles[article_id]
        text = article.text(lang)
        related = [
            Button("→ " + self.kb.articles[r].text(lang).title, actions.make(actions.ARTICLE, r))
            for r in article.related
            if r in self.kb.articles
        ][:RELATED_SHOWN]
        feedback = (
            Button("👍 " + _("Helpful"), actions.make(actions.FEEDBACK, article_id, "1")),
            Button("👎 " + _("Not helpful"), actions.make(actions.FEEDBACK, article_id, "0")),
        )
        return Reply(
            text=text.answer,
            lang=lang,
            title=text.title,
            sources=article.sources,
            buttons=(*_rows(related), *self._guide_rows(article, lang), feedback,
                     (self.advisor_button(lang, article.topics[0]),)),
        )

    def _guide_rows(self, article, lang: str) -> tuple[tuple[Button, ...], ...]:
        """Articles about routes offer the route finder; those that send people to an authority, the finder."""
        _ = translator(lang)
        rows = []
        if "visa-entry" in article.topics and article.audience != "employer":
            rows.append((self.route_finder_button(lang),))
        if "Ausländerbehörde" in article.text("de").answer or "contact-advisor" in article.topics:
            rows.append((self.help_finder_button(lang),))
        return tuple(rows)

    def route_finder_button(self, lang: str) -> Button:
        label = "🧭 " + translator(lang)("Which route fits me?")
        return Button(label, actions.make(actions.ROUTE_FINDER, "restart", "-"))

    def help_finder_button(self, lang: str) -> Button:
        return Button("📍 " + translator(lang)("Help near me"), actions.make(actions.HELP_FINDER, "start", "-"))

    def clarify(self, result: SearchResult, lang: str) -> Reply:
        _ = translator(lang)
        choices = [
            Button(self.kb.articles[c.article].text(lang).title, actions.make(actions.ARTICLE, c.article))
            for c in result.choices
        ]
        return Reply(
            _("I'm not sure which of these you mean. Please choose one:"),
            lang,
            buttons=(*_rows(choices), (self.advisor_button(lang, label=_("None of these: talk to an advisor")),)),
        )

    def fallback(self, lang: str, outside: bool = False) -> Reply:
        """The honest "no answer"; for a message about another country or another matter, say so."""
        _ = translator(lang)
        text = self.kb.scope.reply.get(lang) if outside else None
        return Reply(
            text or _(
                "I'm sorry, I have no reliable answer to that, and I don't want to guess. "
                "A human advisor can help you, or you can look through the topics."
            ),
            lang,
            buttons=((self.advisor_button(lang),), (Button("📚 " + _("Browse topics"), actions.MENU),)),
        )

    def smalltalk(self, intent: str, lang: str) -> Reply:
        for talk in self.kb.smalltalk:
            if talk.intent == intent:
                return Reply(talk.replies.get(lang, ""), lang)
        return self.fallback(lang)

    # --- menus and pickers ------------------------------------------------------------------
    def advisor_button(self, lang: str, topic: str | None = None, label: str | None = None) -> Button:
        _ = translator(lang)
        action = actions.make(actions.ADVISOR, topic) if topic else actions.ADVISOR
        return Button(label or "💬 " + _("Talk to an advisor"), action)

    def language_button(self, lang: str) -> Button:
        """Opens the language picker: offered under a first answer instead of the picker itself."""
        _ = translator(lang)
        return Button("🌐 " + _("Change the language"), actions.LANG)

    def language_picker(self, lang: str, preselected: str | None, intro: str | None = None) -> Reply:
        _ = translator(lang)
        buttons = [
            Button(("✓ " if code == preselected else "") + language_name(code), actions.make(actions.LANG, code))
            for code in LANGUAGES
        ]
        return Reply(intro or _("Please choose your language:"), lang, buttons=_rows(buttons, 2))

    def audience_picker(self, lang: str) -> Reply:
        _ = translator(lang)
        return Reply(
            _("Who are you? This helps me choose the right answers."),
            lang,
            buttons=(
                (Button("🧑‍🎓 " + _("I want to train or work in Germany"),
                        actions.make(actions.AUDIENCE, "candidate")),),
                (Button("🏢 " + _("I am an employer in Sachsen-Anhalt"),
                        actions.make(actions.AUDIENCE, "employer")),),
            ),
        )

    def topics_menu(self, lang: str, audience: str | None) -> Reply:
        _ = translator(lang)
        topics = [t for t in self.kb.topics.values() if t.serves(audience) and self.kb.articles_for(t.id, audience)]
        buttons = [Button(t.titles.get(lang, t.id), actions.make(actions.TOPIC, t.id)) for t in topics]
        rows = _rows(buttons)
        if audience:
            other = "employer" if audience == "candidate" else "candidate"
            label = _("Show topics for employers") if other == "employer" else _("Show topics for candidates")
            rows += ((Button("⇄ " + label, actions.make(actions.MENU, other)),),)
        guides = (self.help_finder_button(lang),) if audience == "employer" else (
            self.route_finder_button(lang), self.help_finder_button(lang))
        return Reply(_("Choose a topic:"), lang, buttons=(*rows, guides))

    def topic_articles(self, topic_id: str, lang: str, audience: str | None) -> Reply:
        _ = translator(lang)
        topic = self.kb.topics[topic_id]
        found = self.kb.articles_for(topic_id, audience) or self.kb.articles_for(topic_id)
        buttons = [Button(a.text(lang).title, actions.make(actions.ARTICLE, a.id)) for a in found]
        return Reply(
            topic.titles.get(lang, topic_id),
            lang,
            buttons=(*_rows(buttons), (Button("← " + _("All topics"), actions.MENU),)),
        )

    def expired(self, lang: str, audience: str | None) -> list[Reply]:
        _ = translator(lang)
        return [Reply(_("This menu has expired. Here is a fresh one."), lang), self.topics_menu(lang, audience)]

    def is_topic(self, topic_id: str) -> bool:
        return topic_id in self.kb.topics

    def is_article(self, article_id: str) -> bool:
        return article_id in self.kb.articles

