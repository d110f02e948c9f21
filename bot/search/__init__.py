"""Normalising text, telling the language, and matching a message to articles."""
from bot.search.engine import ANSWER, CLARIFY, FALLBACK, SMALLTALK, Candidate, Searcher, SearchResult, Settings

__all__ = ["ANSWER", "CLARIFY", "FALLBACK", "SMALLTALK", "Candidate", "SearchResult", "Searcher", "Settings"]
