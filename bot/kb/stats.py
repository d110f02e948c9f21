"""Coverage of the knowledge base: how many articles serve each topic in each language."""
from __future__ import annotations

from bot.kb.model import LANGUAGES, KnowledgeBase


def coverage(kb: KnowledgeBase) -> dict:
    """``{"topics": {topic: {lang: n}}, "articles": N}``; an article counts for every topic it names."""
    matrix = {t: {lang: 0 for lang in LANGUAGES} for t in kb.topics}
    for article in kb.articles.values():
        for topic in article.topics:
            row = matrix.setdefault(topic, {lang: 0 for lang in LANGUAGES})
            for lang, text in article.texts.items():
                if text.answer:
                    row[lang] += 1
    return {"topics": matrix, "articles": len(kb.articles)}


def format_table(stats: dict) -> str:
    """The matrix as a fixed-width table; empty cells are shown as '-' so gaps stand out."""
    width = max([len(t) for t in stats["topics"]] + [5])
    lines = [f"{'topic':<{width}} " + " ".join(f"{lang:>3}" for lang in LANGUAGES)]
    for topic, row in stats["topics"].items():
        cells = " ".join(f"{row[lang] or '-':>3}" for lang in LANGUAGES)
        lines.append(f"{topic:<{width}} {cells}")
    empty = sum(1 for row in stats["topics"].values() for n in row.values() if not n)
    lines.append(f"{stats['articles']} articles, {empty} empty cells")
    return "\n".join(lines)
