#!/usr/bin/env python3
"""Project tasks that need nothing but Python 3.11+: a virtual environment is made on first use.

    python3 tasks.py start [ARGS]   install, then start the assistant (python -m bot ARGS)
    python3 tasks.py test [ARGS]    install with test tools, then run the whole test suite
    python3 tasks.py i18n           extract the interface strings, update and compile the catalogs
    python3 tasks.py bench          install the benchmark baselines, then run the search benchmark
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_env(extras: str) -> None:
    """Create .venv and install the project with ``extras`` unless that exact setup is in place."""
    if not PYTHON.exists():
        print("Creating a virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    print(f"Installing the project{' with ' + extras if extras else ''} ...", flush=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
        cwd=ROOT,
        check=True,
    )
    stamp.touch()


def run(*args: str) -> int:
    return subprocess.run([str(PYTHON), *args], cwd=ROOT).returncode


def i18n() -> int:
    babel = [str(PYTHON), "-m", "babel.messages.frontend"]
    pot = "locales/messages.pot"
    steps = [
        [*babel, "extract", "-F", "babel.cfg", "-k", "N_", "--no-location", "--sort-output",
         "--project", "lsa-advisor-bot", "-o", pot, "bot"],
        [*babel, "update", "-i", pot, "-d", "locales", "--no-fuzzy-matching", "--ignore-obsolete"],
        [*babel, "compile", "-d", "locales", "--statistics"],
    ]
    for step in steps:
        code = subprocess.run(step, cwd=ROOT).returncode
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    task, args = (argv[0], argv[1:]) if argv else ("start", [])
    if task == "start":
        ensure_env("")
        return run("-m", "bot", *args)
    if task == "test":
        ensure_env("dev")
        return run("-m", "pytest", *args)
    if task == "i18n":
        ensure_env("dev")
        return i18n()
    if task == "bench":
        ensure_env("dev,bench")
        return run("benchmarks/search.py", *args)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
