"""Retrieval quality for a grid of fusion settings (RRF constant, side weights, dense/BM25 alone).

Usage: python benchmarks/sweep_fusion.py  — prints hit@1, hit@3, MRR on the gold set.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.chain import BotParams, Yinling
from bot.question import prepare_query
from bot.retrieval import FusionParams
from evals.goldset import load_gold
from evals.metrics import holds_evidence
from index.building import build_fresh
from index.embeddings import load_embedder
from yinling.settings import ROOT, Settings

GRID = [
    ("dense only", FusionParams(lexical_weight=0.0)),
    ("BM25 only", FusionParams(dense_weight=0.0)),
    *[(f"RRF k={k}", FusionParams(rrf_k=k)) for k in (5, 10, 30, 60)],
    ("RRF k=10, dense ×1.5", FusionParams(rrf_k=10, dense_weight=1.5)),
    ("RRF k=10, BM25 ×1.5", FusionParams(rrf_k=10, lexical_weight=1.5)),
]


def main() -> None:
    gold = [item for item in load_gold(ROOT / "evals" / "gold.jsonl") if item.answerable]
    with tempfile.TemporaryDirectory() as tmp:
        embedder = load_embedder(Settings.from_env().embed_model)
        settings = build_fresh(Settings.from_env(), embedder, Path(tmp), "sweep")
        print("| fusion | hit@1 | hit@3 | MRR |\n|---|---|---|---|")
        for name, fusion in GRID:
            bot = Yinling.open(settings, BotParams(fusion=fusion), embedder=embedder)
            ranks = []
            for item in gold:
                hits = bot.retriever.search(prepare_query(item.question, item.history).search_text, k=5)
                ranks.append(next((h.rank for h in hits if holds_evidence(h.chunk.text, item)), None))
            hit1, hit3 = (sum(r is not None and r <= k for r in ranks) / len(ranks) for k in (1, 3))
            mrr = sum(1 / r for r in ranks if r) / len(ranks)
            print(f"| {name} | {hit1:.3f} | {hit3:.3f} | {mrr:.3f} |")


if __name__ == "__main__":
    main()
