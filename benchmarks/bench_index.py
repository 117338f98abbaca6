"""Indexing throughput (chunks/s) and peak memory: the real corpus, then a synthetic one.

Each scenario runs in its own process so its peak resident memory is its own. Beside the
build, the embedder alone embeds the same chunk texts in the same batches: the build's share
of the embedder's own throughput is what the rest of the pipeline costs.
Usage: python benchmarks/bench_index.py [--synthetic-docs 150]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.building import build_from_corpus, embed_chunks, prepare
from index.embeddings import load_embedder
from index.loading import read_corpus
from index.store import IndexStore, connect
from yinling.settings import Settings


def synthesize(seed: str, target: Path, docs: int) -> None:
    """Write `docs` variants of the seed reply: other numbers, other document numbers."""
    target.mkdir(parents=True, exist_ok=True)
    for i in range(docs):
        text = re.sub(r"\d+", lambda m, shift=i + 1: str(int(m.group(0)) + shift), seed)
        text = text.replace("吉民议字", f"吉民议字第{i}批")
        (target / f"synthetic-{i:04d}.txt").write_text(text, encoding="utf-8")


def run_scenario(name: str, docs: int) -> None:
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = settings.corpus_dir
        if name == "synthetic":
            corpus = Path(tmp) / "corpus"
            synthesize(next(settings.corpus_dir.glob("*.txt")).read_text(encoding="utf-8"), corpus, docs)
        settings = dataclasses.replace(settings, data_dir=Path(tmp) / "data", chroma_host="", collection="bench")
        embedder = load_embedder(settings.embed_model)
        store = IndexStore(connect(settings), settings.collection)
        started = time.perf_counter()
        report = build_from_corpus(store, embedder, corpus, settings.chunking)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        build_from_corpus(store, embedder, corpus, settings.chunking)
        noop = time.perf_counter() - started
        chunks = [chunk for source in read_corpus(corpus) for chunk in prepare(source, settings.chunking).chunks]
        started = time.perf_counter()
        embed_chunks(embedder, chunks, None)
        alone = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"| {name} | {len(report.added)} | {report.total_chunks} | {seconds:.1f} | "
        f"{report.total_chunks / seconds:.1f} | {len(chunks) / alone:.1f} | {alone / seconds:.0%} | "
        f"{noop:.2f} | {peak_mb:.0f} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic-docs", type=int, default=150, help="synthetic documents (34 chunks each)")
    parser.add_argument("--scenario", choices=["corpus", "synthetic"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        run_scenario(args.scenario, args.synthetic_docs)
        return
    print(
        "| corpus | documents | chunks | build s | chunks/s | embedder alone chunks/s | build / embedder "
        "| unchanged rebuild s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for scenario in ("corpus", "synthetic"):
        subprocess.run(
            [sys.executable, __file__, "--scenario", scenario, "--synthetic-docs", str(args.synthetic_docs)], check=True
        )


if __name__ == "__main__":
    main()
