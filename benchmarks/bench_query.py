"""Query latency on this machine: retrieval alone, and retrieval + answer, p50/p95.

Asks every gold question `--rounds` times against a fresh index of the corpus.
Usage: python benchmarks/bench_query.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.chain import Yinling
from bot.question import prepare_query
from evals.goldset import load_gold
from evals.metrics import percentile
from index.building import build_fresh
from index.embeddings import load_embedder
from yinling.settings import ROOT, Settings


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    gold = load_gold(ROOT / "evals" / "gold.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        embedder = load_embedder(Settings.from_env().embed_model)
        settings = build_fresh(Settings.from_env(), embedder, Path(tmp), "bench")
        bot = Yinling.open(settings, embedder=embedder)
        bot.ask("热身")
        retrieval, full = [], []
        for _ in range(args.rounds):
            for item in gold:
                query = prepare_query(item.question, item.history)
                retrieval.append(timed(lambda q=query: bot.retriever.search(q.search_text)))
                full.append(timed(lambda i=item: bot.ask(i.question, i.history)))
    print(f"{len(gold)} questions × {args.rounds} rounds, one process, warm")
    print("| stage | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|")
    for name, values in (("retrieval", retrieval), ("retrieval + answer", full)):
        values.sort()
        p50, p95, mean = statistics.median(values), percentile(values, 95), statistics.mean(values)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {mean:.1f} |")


if __name__ == "__main__":
    main()
