"""Building the search once per version of the knowledge base, not once per start.

The built search (with the knowledge base it was built from) is kept as a pickle named after a hash of
the knowledge files and of the search code. A matching file is only ever written after the knowledge base
passed its checks, so loading it skips parsing, checking and indexing: start-up stays fast however large the
knowledge base grows. Anything unreadable is ignored and rebuilt.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.search.engine import Searcher

log = logging.getLogger("bot.search")
CODE = Path(__file__).resolve().parent


def fingerprint(knowledge_dir: Path) -> str:
    digest = hashlib.sha256()
    for folder in (knowledge_dir, CODE, CODE.parent / "kb"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".yaml", ".yml", ".py") and path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cached_searcher(knowledge_dir: Path, cache_dir: Path | None, build: Callable[[], Searcher]) -> Searcher:
    """The search for ``knowledge_dir``: from ``cache_dir`` when it holds this version, else ``build()``."""
    if cache_dir is None:
        return build()
    name = f"search-{fingerprint(knowledge_dir)}.pickle"
    path = cache_dir / name
    if path.is_file():
        try:
            with path.open("rb") as fp:
                searcher = pickle.load(fp)
            if isinstance(searcher, Searcher):
                return searcher
        except Exception:  # a damaged or foreign cache file is rebuilt, never trusted
            log.warning("search cache unreadable, rebuilding", extra={"fields": {"file": name}})
    searcher = build()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False, suffix=".tmp") as fp:
            pickle.dump(searcher, fp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fp.name, path)
        for old in cache_dir.glob("search-*.pickle"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:
        log.info("search cache not written", extra={"fields": {"dir": str(cache_dir)}})
    return searcher
