"""Search benchmark: speed and memory of `ask`, and accuracy next to two baselines.

    python3 tasks.py bench          (installs bm25s, then runs this file)

It measures, it does not judge: nothing here fails on a slow run. Printed as Markdown and written to
benchmarks/results/search.md, which the README quotes.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.kb import load  # noqa: E402
from bot.kb.model import Article, KnowledgeBase, Text  # noqa: E402
from bot.search.engine import Searcher  # noqa: E402
from bot.search.evaluation import IN_SCOPE, evaluate, format_report, load_labelled  # noqa: E402
from bot.search.normalize import key, tokens  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SCALE = 20


def synthetic(kb: KnowledgeBase, factor: int, seed: int = 7) -> KnowledgeBase:
    """A knowledge base ``factor`` times larger: every article cloned with its questions reshuffled and
    partly mixed with another article's words and a few new words, so the vocabulary grows as well."""
    rng = random.Random(seed)
    articles = dict(kb.articles)
    originals = list(kb.articles.values())
    for copy in range(1, factor):
        for article in originals:
            other = rng.choice(originals)
            texts = {}
            for lang, text in article.texts.items():
                mixed = []
                for q in text.questions:
                    words = q.split()
                    extra = rng.choice(other.texts[lang].questions).split()
                    words = words[: max(2, len(words) - 2)] + extra[: 2] + [f"w{copy}x{rng.randrange(5000)}"]
                    mixed.append(" ".join(words))
                texts[lang] = Text(f"{text.title} {copy}", tuple(mixed), text.keywords, text.answer)
            new_id = f"{article.id}-{copy}"
            articles[new_id] = Article(new_id, article.topics, article.audience, article.sources, article.reviewed,
                                       (), texts)
    return replace(kb, articles=articles)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timing(searcher: Searcher, messages: list[str], rounds: int = 3) -> dict:
    for m in messages:  # warm-up: caches fill as they would in a running bot
        searcher.search(m)
    latencies = []
    started = time.perf_counter()
    for _ in range(rounds):
        for m in messages:
            t = time.perf_counter()
            searcher.search(m)
            latencies.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "qps": len(latencies) / elapsed,
    }


def startup_seconds() -> float:
    """Wall time of a fresh process answering one message: imports, loading, indexing, answering."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "hallo"], env=env, cwd=ROOT,
                       capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    return min(runs)


def peak_memory_mb(scale: int) -> float:
    """Peak resident memory of a process that loads the knowledge base (scaled) and builds the index.
    (VmHWM, not ru_maxrss: the latter survives exec and would report this process's own peak.)"""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'benchmarks')!r});"
        "from search import synthetic; from bot.kb import load; from bot.search.engine import Searcher;"
        f"kb = load(__import__('pathlib').Path({str(ROOT / 'knowledge')!r})).kb;"
        f"kb = synthetic(kb, {scale}) if {scale} > 1 else kb;"
        "s = Searcher(kb); s.search('Blaue Karte Gehalt');"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def baseline_bm25(kb: KnowledgeBase, items) -> tuple[float, float]:
    import bm25s

    ids = sorted(kb.articles)
    corpus = []
    for aid in ids:
        a = kb.articles[aid]
        parts = [" ".join([t.title, *t.questions, *t.keywords, t.answer]) for t in a.texts.values()]
        corpus.append(tokens(" ".join(parts)))
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    top1 = top3 = 0
    questions = [i for i in items if i.kind == IN_SCOPE]
    for item in questions:
        query = tokens(item.text) or ["-"]
        docs, _ = retriever.retrieve([query], k=3, show_progress=False)
        ranked = [ids[d] for d in docs[0]]
        top1 += ranked[0] in item.expected
        top3 += bool(item.expected & set(ranked))
    return top1 / len(questions), top3 / len(questions)


def baseline_extract_one(kb: KnowledgeBase, items) -> tuple[float, float]:
    from rapidfuzz import process

    choices, owners = [], []
    for aid, a in kb.articles.items():
        for t in a.texts.values():
            for q in t.questions:
                choices.append(key(q))
                owners.append(aid)
    top1 = top3 = 0
    questions = [i for i in items if i.kind == IN_SCOPE]
    for item in questions:
        found = process.extract(key(item.text), choices, limit=30)
        ranked = list(dict.fromkeys(owners[i] for _, _, i in found))[:3]
        top1 += bool(ranked) and ranked[0] in item.expected
        top3 += bool(item.expected & set(ranked))
    return top1 / len(questions), top3 / len(questions)


def main() -> None:
    t = time.perf_counter()
    kb = load(ROOT / "knowledge").kb
    searcher = Searcher(kb)
    build = time.perf_counter() - t
    items = load_labelled(ROOT / "tests" / "data" / "labelled")
    messages = [i.text for i in items]
    big = synthetic(kb, SCALE)
    t = time.perf_counter()
    big_searcher = Searcher(big)
    big_build = time.perf_counter() - t
    speed = timing(searcher, messages)
    big_speed = timing(big_searcher, messages)
    ours = evaluate(searcher, items)
    held = evaluate(searcher, [i for i in items if i.held_out])
    fresh = evaluate(searcher, load_labelled(ROOT / "tests" / "data" / "fresh"))
    bm25 = baseline_bm25(kb, items)
    fuzzy = baseline_extract_one(kb, items)
    start = startup_seconds()
    memory, big_memory = peak_memory_mb(1), peak_memory_mb(SCALE)
    n_questions = sum(i.kind == IN_SCOPE for i in items)
    lines = [
        f"Search benchmark ({time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores; {len(items)} labelled messages, {n_questions} of them in scope)",
        "",
        "| knowledge base | articles | index build | p50 | p99 | queries/s | peak memory |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| bundled | {len(kb.articles)} | {build:.2f} s | {speed['p50_ms']:.2f} ms | {speed['p99_ms']:.2f} ms | "
        f"{speed['qps']:.0f} | {memory:.0f} MB |",
        f"| synthetic x{SCALE} | {len(big.articles)} | {big_build:.2f} s | {big_speed['p50_ms']:.2f} ms | "
        f"{big_speed['p99_ms']:.2f} ms | {big_speed['qps']:.0f} | {big_memory:.0f} MB |",
        "",
        f"Start-up of `python -m bot ask` (new process, load, index, one answer): {start:.2f} s",
        "",
        "| method | top-1 | top-3 | out-of-scope rejected |",
        "| --- | --- | --- | --- |",
        f"| this search, all messages | {ours.top1.rate:.1%} | {ours.top3.rate:.1%} | {ours.rejection.rate:.1%} |",
        f"| this search, held-out half | {held.top1.rate:.1%} | {held.top3.rate:.1%} | {held.rejection.rate:.1%} |",
        f"| this search, fresh set | {fresh.top1.rate:.1%} | {fresh.top3.rate:.1%} | {fresh.rejection.rate:.1%} |",
        f"| BM25 (bm25s) over article texts | {bm25[0]:.1%} | {bm25[1]:.1%} | n/a (always answers) |",
        f"| rapidfuzz extractOne over questions | {fuzzy[0]:.1%} | {fuzzy[1]:.1%} | n/a (always answers) |",
    ]
    lines += ["", format_report(ours, "Per language, labelled set (all messages)"), "",
              format_report(fresh, "Per language, fresh set (written after the last tuning, never tuned on)")]
    report = "\n".join(lines)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search.md").write_text(report + "\n", encoding="utf-8")
    (RESULTS / "search.json").write_text(json.dumps({
        "bundled": {**speed, "articles": len(kb.articles), "build_s": build, "peak_mb": memory},
        "synthetic": {**big_speed, "articles": len(big.articles), "build_s": big_build, "peak_mb": big_memory},
        "startup_s": start,
        "accuracy": {"top1": ours.top1.rate, "top3": ours.top3.rate, "rejection": ours.rejection.rate,
                     "bm25_top1": bm25[0], "extract_one_top1": fuzzy[0], "fresh": fresh.row()},
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
