"""The command line: ``ask`` as a stable machine interface, and the console chat."""
from __future__ import annotations

import io
import json
import subprocess
import sys

from bot.channels.console import chat
from bot.config import PROJECT_ROOT

CONTRACT_KEYS = {"lang", "action", "article", "topics", "score", "candidates", "reply"}


def run_bot(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "HOME": "/tmp"}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=PROJECT_ROOT, timeout=120)


def check_contract(out: dict) -> None:
    assert set(out) == CONTRACT_KEYS
    assert out["action"] in ("answer", "clarify", "fallback", "smalltalk")
    assert 0.0 <= out["score"] <= 1.0
    assert len(out["candidates"]) <= 5
    scores = [c["score"] for c in out["candidates"]]
    assert scores == sorted(scores, reverse=True)
    for c in out["candidates"]:
        assert set(c) == {"article", "topics", "score"} and c["topics"]
    if out["action"] == "answer":
        assert out["article"] == out["candidates"][0]["article"]
        assert out["topics"] == out["candidates"][0]["topics"]
    else:
        assert out["article"] is None
    assert out["reply"].strip()


def test_ask_json_answers_in_the_language_of_the_message():
    result = run_bot("ask", "--json", "Wie hoch ist das Mindestgehalt für die Blaue Karte 2026?")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    check_contract(out)
    assert out["lang"] == "de"
    assert out["action"] == "answer" and out["article"] == "visa-blue-card"
    assert out["topics"] == ["visa-entry"]
    assert "50.700" in out["reply"]


def test_ask_json_with_language_hint_and_audience():
    result = run_bot("ask", "--json", "--lang", "uk", "--audience", "employer", "Blue Card")
    out = json.loads(result.stdout)
    check_contract(out)
    assert out["lang"] == "uk"


def test_ask_jsonl_reads_plain_and_json_lines_and_survives_a_bad_one():
    lines = "\n".join([
        "xin chào",
        json.dumps({"q": "Wo melde ich meine Wohnung an?", "lang": "de", "audience": "candidate"}),
        "{not json",
        json.dumps({"q": "recipe for a chocolate cake with cherries", "lang": "en"}),
        json.dumps({"lang": "de"}),
    ])
    result = run_bot("ask", "--jsonl", stdin=lines + "\n")
    assert result.returncode == 0
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outs) == 5
    check_contract(outs[0])
    assert outs[0]["action"] == "smalltalk" and outs[0]["lang"] == "vi"
    check_contract(outs[1])
    assert outs[1]["article"] == "arrival-registration"
    assert outs[2] == {"error": "line 3: not valid JSON (Expecting property name enclosed in double quotes)"}
    check_contract(outs[3])
    assert outs[3]["action"] == "fallback"
    assert "error" in outs[4]


def test_ask_without_a_message_explains_itself():
    result = run_bot("ask", "--json")
    assert result.returncode == 2
    assert "ask needs a message" in result.stderr


async def test_console_chat_shows_buttons_as_numbers_and_ends_with_quit(dialog):
    typed = io.StringIO("2\n1\nBlaue Karte Gehalt 2026\n42\n/help\n/quit\n")
    out = io.StringIO()
    await chat(dialog, stdin=typed, out=out)
    shown = out.getvalue()
    assert ("[1] Deutsch" in shown and "[2] ✓ English" in shown) or "[2] English" in shown
    assert "Blaue Karte EU" in shown
    assert "Please type a number from 1 to" in shown or "Bitte" in shown
    assert "/advisor" in shown


async def test_console_chat_ends_on_end_of_input(dialog):
    out = io.StringIO()
    await chat(dialog, stdin=io.StringIO("Hello\n"), out=out)
    assert out.getvalue().rstrip().endswith("or pick a topic with /topics.")


async def test_console_runs_both_guided_checks(dialog):
    # /start: 1 = Deutsch ... then /check: EU citizen? 2 = no; goal 2 = work; qualification 4 = university,
    # recognised; offer 6 = EUR 55,770 or more; German 5 = B2; experience 3 = 5+; age 1 = under 35.
    typed = io.StringIO("2\n1\n/check\n2\n2\n4\n6\n5\n3\n1\n/nearby\n4\n1\n/quit\n")
    out = io.StringIO()
    await chat(dialog, stdin=typed, out=out)
    shown = out.getvalue()
    assert "EU Blue Card (§ 18g)" in shown and "not a decision of an authority" in shown
    assert "What do you need help with?" in shown and "openstreetmap.org" in shown
