"""Loading and checking the knowledge base: every problem named with file, article and field."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import yaml

from bot.config import PROJECT_ROOT
from bot.kb import check, load
from bot.kb.model import LANGUAGES
from tests.conftest import article_data


def problems_of(small, today=date(2026, 11, 25)):
    return [str(p) for p in check(load(small.root), small.root, today)]


def errors_of(root):
    return [p for p in problems_of(root) if p.startswith("error")]


def test_a_valid_knowledge_base_has_no_errors(small_kb):
    assert errors_of(small_kb) == []


def test_broken_yaml_names_the_file_and_line(small_kb):
    small_kb.write("id: broken\ntopics: [visa-entry\nde: {", "broken")
    errors = errors_of(small_kb)
    assert len(errors) == 1
    assert "knowledge/articles/broken.yaml" in errors[0] and "line" in errors[0] and "not valid YAML" in errors[0]


def test_unknown_topic_is_an_error(small_kb):
    small_kb.write(article_data("third-article", ["no-such-topic"]))
    assert any("third-article: topics: unknown topic id 'no-such-topic'" in e for e in errors_of(small_kb))


def test_missing_language_names_the_language(small_kb):
    data = article_data("third-article", ["housing"])
    del data["vi"]
    small_kb.write(data)
    assert any("third-article: vi: missing required language" in e for e in errors_of(small_kb))


def test_empty_answer_and_empty_title(small_kb):
    data = article_data("third-article", ["housing"])
    data["fr"]["answer"] = "   "
    data["ar"]["title"] = ""
    small_kb.write(data)
    errors = errors_of(small_kb)
    assert any("third-article: fr.answer: empty answer" in e for e in errors)
    assert any("third-article: ar.title: empty title" in e for e in errors)


def test_duplicate_id_in_two_files(small_kb):
    small_kb.write(article_data("first-article", ["housing"]), "copy-of-first")
    errors = errors_of(small_kb)
    assert any(": first-article: id: duplicate id, also used in" in e for e in errors)


def test_unknown_related_article(small_kb):
    small_kb.write(article_data("third-article", ["housing"], related=["nowhere"]))
    assert any("third-article: related: unknown article id 'nowhere'" in e for e in errors_of(small_kb))


def test_bad_urls_are_errors(small_kb):
    sources = ["http://www.bamf.de/x", "https://example.com/page", "not a url"]
    small_kb.write(article_data("third-article", ["housing"], sources=sources))
    errors = [e for e in errors_of(small_kb) if "third-article: sources" in e]
    assert len(errors) == 3
    assert any("example.com is not listed in domains.yaml" in e for e in errors)


def test_old_review_date_is_only_a_warning(small_kb):
    small_kb.write(article_data("third-article", ["housing"], reviewed="2025-01-10"))
    problems = problems_of(small_kb)
    assert any(p.startswith("warning") and "third-article: reviewed: last reviewed 2025-01-10" in p for p in problems)
    assert errors_of(small_kb) == []


def test_question_shared_by_two_articles(small_kb):
    data = article_data("third-article", ["housing"])
    data["en"]["questions"].append("First-Article question EN 1!")
    small_kb.write(data)
    errors = errors_of(small_kb)
    assert any("third-article: en.questions: question 'first article question en 1' also belongs to first-article"
               in e for e in errors)


def test_unknown_field_is_named(small_kb):
    data = article_data("third-article", ["housing"])
    data["de"]["qestions"] = ["typo"]
    small_kb.write(data)
    assert any("third-article: de.qestions: unknown field" in e for e in errors_of(small_kb))


def run_cli(*args, knowledge=None):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)}
    if knowledge:
        env["KNOWLEDGE_DIR"] = str(knowledge)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=120
    )


def test_kb_check_command_exits_non_zero_with_one_line_per_problem(small_kb):
    small_kb.write(article_data("third-article", ["no-such-topic"], related=["nowhere"]))
    result = run_cli("kb", "check", knowledge=small_kb.root)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("error: knowledge/articles/third-article.yaml: third-article: ") for line in lines)


def test_kb_check_command_passes_on_the_bundled_knowledge_base():
    result = run_cli("kb", "check")
    assert result.returncode == 0, result.stdout


def test_kb_stats_json_has_the_promised_shape(small_kb):
    result = run_cli("kb", "stats", "--json", knowledge=small_kb.root)
    assert result.returncode == 0
    stats = json.loads(result.stdout)
    assert stats["articles"] == 2
    assert set(stats["topics"]) >= {"visa-entry", "recognition", "housing"}
    assert stats["topics"]["visa-entry"] == {lang: 1 for lang in LANGUAGES}
    assert stats["topics"]["housing"] == {lang: 0 for lang in LANGUAGES}


def test_kb_stats_table_marks_empty_cells(small_kb):
    result = run_cli("kb", "stats", knowledge=small_kb.root)
    assert "2 articles" in result.stdout
    housing = next(line for line in result.stdout.splitlines() if line.startswith("housing"))
    assert housing.split()[1:] == ["-"] * len(LANGUAGES)


def test_a_configuration_error_stops_with_one_line(tmp_path):
    result = run_cli("kb", "check", knowledge=tmp_path / "missing")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("configuration error: KNOWLEDGE_DIR")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_scope_section_without_a_language_is_named(small_kb):
    scope = yaml.safe_load((PROJECT_ROOT / "knowledge" / "scope.yaml").read_text(encoding="utf-8"))
    del scope["abroad"]["vi"]
    scope["reply"]["ar"] = ""
    (small_kb.root / "scope.yaml").write_text(yaml.safe_dump(scope, allow_unicode=True), encoding="utf-8")
    errors = errors_of(small_kb)
    assert any("abroad: vi: needs a list of terms" in e for e in errors), errors
    assert any("reply: ar: empty reply" in e for e in errors), errors


def test_an_origin_phrase_of_several_words_is_named(small_kb):
    scope = yaml.safe_load((PROJECT_ROOT / "knowledge" / "scope.yaml").read_text(encoding="utf-8"))
    scope["origin"]["vi"].append("công dân")
    (small_kb.root / "scope.yaml").write_text(yaml.safe_dump(scope, allow_unicode=True), encoding="utf-8")
    assert any("origin: vi: origin words are single words" in e for e in errors_of(small_kb))


def test_a_scope_term_with_a_star_and_too_few_letters_is_named(small_kb):
    """Terms are found by their first letters: "ab*" could never match, so kb check says so."""
    scope = yaml.safe_load((PROJECT_ROOT / "knowledge" / "scope.yaml").read_text(encoding="utf-8"))
    scope["abroad"]["en"].append("ab*")
    (small_kb.root / "scope.yaml").write_text(yaml.safe_dump(scope, allow_unicode=True), encoding="utf-8")
    assert any("abroad: en: a term with * needs at least 3 letters" in e for e in errors_of(small_kb))
