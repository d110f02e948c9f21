"""The bundled knowledge base stays honest: complete in every language, sourced, linked, short enough."""
from __future__ import annotations

from collections import Counter
from datetime import date

from bot.channels.telegram.render import split_html, to_html
from bot.dialog.answers import Answerer
from bot.kb.checks import url_problem, utf16_len
from bot.kb.model import LANGUAGES
from bot.search.normalize import key

TELEGRAM_LIMIT = 4096


def test_the_knowledge_base_is_large_enough_and_every_topic_has_two_articles(kb):
    assert len(kb.articles) >= 70
    per_topic = Counter(t for a in kb.articles.values() for t in a.topics)
    thin = {t: per_topic[t] for t in kb.topics if per_topic[t] < 2}
    assert not thin, f"topics with fewer than 2 articles: {thin}"


def test_every_topic_is_covered_for_each_audience_it_names(kb):
    for topic in kb.topics.values():
        audiences = ["candidate", "employer"] if topic.audience == "both" else [topic.audience]
        for audience in audiences:
            assert kb.articles_for(topic.id, audience), f"{topic.id} has nothing for {audience}"


def test_every_article_has_all_fields_in_every_language(kb):
    for article in kb.articles.values():
        assert article.sources and article.topics and article.related, article.id
        assert article.reviewed <= date.today()
        for lang in LANGUAGES:
            text = article.text(lang)
            assert text.title and text.answer, (article.id, lang)
            assert len(text.questions) >= 8, (article.id, lang, len(text.questions))
            assert len(text.keywords) >= 3, (article.id, lang)


def test_sources_are_https_links_to_listed_official_domains(kb):
    for article in kb.articles.values():
        for url in article.sources:
            assert url_problem(url, kb.domains) is None, (article.id, url)


def test_no_answer_exceeds_one_telegram_message_once_rendered(kb, answerer: Answerer):
    for article in kb.articles.values():
        for lang in LANGUAGES:
            reply = answerer.article(article.id, lang)
            rendered = to_html(reply)
            assert len(split_html(rendered)) == 1, (article.id, lang)
            assert utf16_len(rendered) < TELEGRAM_LIMIT


def test_no_two_articles_share_a_question(kb):
    owners: dict[str, str] = {}
    for article in kb.articles.values():
        for text in article.texts.values():
            for question in text.questions:
                k = key(question)
                assert owners.setdefault(k, article.id) == article.id, (question, owners[k], article.id)


def test_related_links_make_every_article_reachable(kb):
    linked = {r for a in kb.articles.values() for r in a.related}
    assert set(kb.articles) <= linked, f"never linked from another article: {set(kb.articles) - linked}"
    assert all(len(a.related) >= 2 for a in kb.articles.values())


def test_candidates_hear_about_fees_and_equal_access(kb):
    fair = kb.articles["fair-no-fees"].text("en").answer.lower()
    assert "fee" in fair
    equal = kb.articles["discrimination-equal-access"].text("en").answer.lower()
    assert "origin" in equal and "religion" in equal
