"""``python -m bot <command>``: the command line, a thin adapter around the core."""
from __future__ import annotations

import argparse
import json
import sys

from bot.config import Config, ConfigError, load_config
from bot.kb.model import LANGUAGES, SIDES


def _kb_check(args: argparse.Namespace, config: Config) -> int:
    from bot.kb import check, load

    problems = check(load(config.knowledge_dir), config.knowledge_dir)
    for problem in problems:
        print(problem, file=sys.stdout if problem.level == "error" else sys.stderr)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    summary = f"knowledge base: {errors} error(s), {warnings} warning(s)"
    print(summary, file=sys.stderr)
    return 1 if errors else 0


def _kb_stats(args: argparse.Namespace, config: Config) -> int:
    from bot.kb import load
    from bot.kb.stats import coverage, format_table

    stats = coverage(load(config.knowledge_dir).kb)
    print(json.dumps(stats, ensure_ascii=False) if args.json else format_table(stats))
    return 0


def _report_knowledge_errors(exc) -> None:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    print(exc, file=sys.stderr)


def _load_answerer(config: Config):
    from bot.app import load_answerer
    from bot.kb import KnowledgeError

    try:
        return load_answerer(config.knowledge_dir, config.locales_dir, config.cache_dir)
    except KnowledgeError as exc:
        _report_knowledge_errors(exc)
        return None


def ask_result(answerer, message: str, lang: str | None, audience: str | None) -> dict:
    """The ``ask --json`` contract: what the search decided and what the person would read."""
    from bot.dialog.render import plain

    outcome = answerer.answer(message, lang, audience)
    result = outcome.search
    answered = result.best if result.action == "answer" else None
    return {
        "lang": outcome.lang,
        "action": result.action,
        "article": answered.article if answered else None,
        "topics": list(answered.topics) if answered else [],
        "score": result.score,
        "candidates": [
            {"article": c.article, "topics": list(c.topics), "score": c.score} for c in result.candidates[:5]
        ],
        "reply": "\n\n".join(plain(r) for r in outcome.replies),
    }


def _jsonl_request(line: str, number: int, args: argparse.Namespace) -> tuple[str, str | None, str | None] | str:
    """(message, lang, audience) from one input line, or an error text."""
    text = line.strip()
    if not text.startswith("{"):
        return text, args.lang, args.audience
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"line {number}: not valid JSON ({exc.msg})"
    if not isinstance(data, dict) or not isinstance(data.get("q"), str):
        return f'line {number}: expected an object like {{"q": "...", "lang": "de"}}'
    audience = data.get("audience", args.audience)
    if audience is not None and audience not in SIDES:
        return f"line {number}: audience must be candidate or employer"
    return data["q"], data.get("lang", args.lang), audience


def _ask(args: argparse.Namespace, config: Config) -> int:
    answerer = _load_answerer(config)
    if answerer is None:
        return 1
    if args.jsonl:
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            request = _jsonl_request(line, number, args)
            out = {"error": request} if isinstance(request, str) else ask_result(answerer, *request)
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    if not args.message:
        print("ask needs a message, or --jsonl to read messages from stdin", file=sys.stderr)
        return 2
    result = ask_result(answerer, " ".join(args.message), args.lang, args.audience)
    print(json.dumps(result, ensure_ascii=False) if args.json else result["reply"])
    return 0


def _chat(args: argparse.Namespace, config: Config) -> int:
    import asyncio

    from bot.app import build_core
    from bot.channels.console import chat
    from bot.kb import KnowledgeError

    async def run() -> None:
        core = await build_core(config)
        try:
            await chat(core.dialog)
        finally:
            await core.close()

    try:
        asyncio.run(run())
    except KnowledgeError as exc:
        _report_knowledge_errors(exc)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _run(args: argparse.Namespace, config: Config) -> int:
    from bot.channels.telegram.app import run
    from bot.kb import KnowledgeError
    from bot.logs import setup_logging

    if not config.bot_token:
        print("configuration error: BOT_TOKEN is not set: get one from @BotFather (or use: python -m bot chat)",
              file=sys.stderr)
        return 2
    setup_logging(config.log_level)
    try:
        return run(config)
    except KnowledgeError as exc:
        _report_knowledge_errors(exc)
        return 1


def _report(args: argparse.Namespace, config: Config) -> int:
    import asyncio
    from datetime import date

    from bot.reports import REPORTS
    from bot.store.db import open_database

    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        print(f"--since needs a date like 2026-11-01, got {args.since!r}", file=sys.stderr)
        return 2
    if not config.database_path.exists():
        print(f"no database at {config.database_path} yet: nothing to report", file=sys.stderr)
        return 1

    async def make():
        db = await open_database(config.database_path)
        try:
            return await REPORTS[args.report](db, since)
        finally:
            await db.close()

    report = asyncio.run(make())
    print(report.as_csv() if args.csv else report.as_text(), end="" if args.csv else "\n")
    return 0


def _backup(args: argparse.Namespace, config: Config) -> int:
    from datetime import date
    from pathlib import Path

    from bot.store.backup import backup

    if not config.database_path.exists():
        print(f"no database at {config.database_path}", file=sys.stderr)
        return 1
    target = Path(args.path)
    if target.is_dir():
        target = target / f"bot-{date.today().isoformat()}.sqlite3"
    pages = backup(config.database_path, target)
    print(f"backup written to {target} ({pages} pages, integrity ok)")
    return 0


def _kb_reload(args: argparse.Namespace, config: Config) -> int:
    import os
    import signal

    from bot.channels.telegram.app import PID_FILE

    if _kb_check(args, config):
        print("not reloaded: the running bot keeps its knowledge base", file=sys.stderr)
        return 1
    pid_file = config.database_path.parent / PID_FILE
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        print(f"no running bot found ({pid_file}); it will load the new knowledge base when it starts",
              file=sys.stderr)
        return 1
    print(f"asked the running bot (pid {pid}) to reload; it checks again and logs the result")
    return 0


def _health(args: argparse.Namespace, config: Config) -> int:
    import json as json_module
    import urllib.request

    if not config.port:
        print("PORT is not set: the bot serves no /healthz", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{config.port}/healthz", timeout=5) as response:
            state = json_module.load(response)
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    print(json_module.dumps(state))
    return 0 if state.get("ok") else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    kb = sub.add_parser("kb", help="check the knowledge base or show its coverage")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_sub.add_parser("check", help="validate every file; exit 1 on errors").set_defaults(handler=_kb_check)
    stats = kb_sub.add_parser("stats", help="coverage matrix: topics x languages")
    stats.add_argument("--json", action="store_true", help="print the matrix as JSON")
    stats.set_defaults(handler=_kb_stats)
    kb_sub.add_parser("reload", help="check, then tell the running bot to re-read it").set_defaults(handler=_kb_reload)
    report = sub.add_parser("report", help="curators' reports from the database")
    report.add_argument("report", choices=("gaps", "feedback", "cases"))
    report.add_argument("--since", help="only from this date on (YYYY-MM-DD)")
    report.add_argument("--csv", action="store_true", help="CSV for spreadsheets")
    report.set_defaults(handler=_report)
    backup = sub.add_parser("backup", help="consistent copy of the database, also while the bot runs")
    backup.add_argument("path", help="target file, or a folder for a dated file")
    backup.set_defaults(handler=_backup)
    sub.add_parser("health", help="exit 0 when the running bot's /healthz says ok").set_defaults(handler=_health)
    sub.add_parser("run", help="start the Telegram bot (needs BOT_TOKEN)").set_defaults(handler=_run)
    chat = sub.add_parser("chat", help="talk to the assistant in this terminal")
    chat.set_defaults(handler=_chat)
    ask = sub.add_parser("ask", help="answer one message (or --jsonl: one per stdin line)")
    ask.add_argument("message", nargs="*", help="the message, as a person would write it")
    ask.add_argument("--json", action="store_true", help="print the result as one JSON object")
    ask.add_argument("--jsonl", action="store_true", help="read messages from stdin, write one JSON per line")
    ask.add_argument("--lang", choices=LANGUAGES, help="language hint, like Telegram's language_code")
    ask.add_argument("--audience", choices=SIDES)
    ask.set_defaults(handler=_ask)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config()
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"configuration error: {problem}", file=sys.stderr)
        return 2
    handler = getattr(args, "handler", None)
    if handler is None:
        # No command: the quick start. Telegram when a token is configured, else the console chat.
        handler = _run if config.bot_token else _chat
    return handler(args, config)
