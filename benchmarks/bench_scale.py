"""Scale: synthetic indexes of 1k, 10k and 100k chunks, opened and asked as the app does.

Each index is written through the real store format (create_version, write_chunks, the stored
lexical index, commit) from variants of the corpus's reply (other numbers, other document
numbers), with precomputed vectors: the real embedder's vector of the same paragraph in the
seed reply, slightly perturbed. Indexes are cached under var/bench-scale/ (writing 100k chunks
takes minutes, once); the cost of adding one reply is measured on a copy-free round trip (added,
then removed again).

Each size is measured in a fresh process, so open time and resident memory are its own:
the bot's imports, then open (the whole `Yinling.open`: embedder, tokenizer and the index),
RSS after the questions, p50/p95 of dense, lexical and fused retrieval and of the full answer over the gold questions,
adding one reply (the corpus reply under a new name: parse, embed, write, commit), and answered
questions per second through the HTTP API at concurrency 1, 4 and 16.

Usage:
    python benchmarks/bench_scale.py                        # 1k, 10k, 100k as a Markdown table
    python benchmarks/bench_scale.py --chunks 100000 --json  # one size, one JSON object
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from evals.goldset import load_gold
from evals.metrics import percentile
from yinling.settings import ROOT, Settings

SIZES = (1_000, 10_000, 100_000)
CACHE = ROOT / "var" / "bench-scale"
FORMAT = 3  # bump when the synthetic index's shape changes (3: the manifest stored compressed)
NOISE = 0.02
API_REQUESTS = 48
ADDED = "added-reply.txt"


def synthetic_text(seed: str, i: int) -> str:
    """The seed reply with other numbers and another document number, as another year's reply reads."""
    text = re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1 + i % 97 + i // 97), seed)
    return text.replace("吉民议字", f"吉民议字第{i}批")


def write_index(chunks: int, where: Path) -> None:
    """Write a committed synthetic index of about `chunks` chunks under `where`."""
    from index.building import PARSER_VERSION, prepare
    from index.embeddings import embedder_id, load_embedder
    from index.lexical import LexicalIndex
    from index.loading import read_corpus
    from index.store import DocEntry, IndexStore, Manifest, connect, write_chunks

    settings = bench_settings(where)
    seed = next(source for source in read_corpus(Settings.from_env().corpus_dir) if not isinstance(source, Exception))
    embedder = load_embedder(settings.embed_model)
    seed_doc = prepare(seed, settings.chunking)
    seed_vectors = embedder.embed_documents([chunk.embed_text for chunk in seed_doc.chunks])
    corpus = where / "corpus"
    corpus.mkdir(parents=True)
    per_doc = len(seed_doc.chunks)
    for i in range(-(-chunks // per_doc)):
        (corpus / f"synthetic-{i:05d}.txt").write_text(synthetic_text(seed.text, i), encoding="utf-8")
    docs = [prepare(source, settings.chunking) for source in read_corpus(corpus)]
    total = sum(len(doc.chunks) for doc in docs)
    noise = random.Random(0)
    all_chunks = [chunk for doc in docs for chunk in doc.chunks]
    vectors = [perturbed(seed_vectors[min(chunk.ordinal, len(seed_vectors) - 1)], noise) for chunk in all_chunks]
    store = IndexStore(connect(settings), settings.collection)
    collection = store.create_version(1)
    write_chunks(collection, all_chunks, vectors, {doc.meta.doc_id: doc.meta for doc in docs})
    store.write_lexical(collection, LexicalIndex.build(all_chunks).to_bytes())
    manifest = Manifest(embedder_id(embedder), len(seed_vectors[0]), settings.chunking.as_dict(), PARSER_VERSION, 1)
    manifest.docs = {doc.meta.doc_id: DocEntry(doc.meta, doc.source.sha256, len(doc.chunks)) for doc in docs}
    store.commit(collection, manifest, None)
    (where / "ready").write_text(str(total))


def perturbed(vector: list[float], noise: random.Random) -> list[float]:
    moved = [value + noise.gauss(0, NOISE) for value in vector]
    norm = sum(value * value for value in moved) ** 0.5
    return [value / norm for value in moved]


def bench_settings(where: Path) -> Settings:
    return dataclasses.replace(
        Settings.from_env(),
        data_dir=where / "data",
        corpus_dir=where / "corpus",
        chroma_host="",
        collection="bench",
        api_rate_limit="",
    )


def cached_index(chunks: int) -> Path:
    """The cached index of `chunks`, written first if missing or made by another parser version
    (whose every document a build would re-chunk and re-embed)."""
    from index.building import PARSER_VERSION

    where = CACHE / f"{chunks}-v{FORMAT}-parser{PARSER_VERSION}"
    if not (where / "ready").exists():
        shutil.rmtree(where, ignore_errors=True)
        started = time.perf_counter()
        write_index(chunks, where)
        print(f"wrote a {chunks}-chunk index in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return where


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def p50_p95(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), percentile(values, 95)


def measure(chunks: int) -> dict:
    """Open the cached index of `chunks` in this (fresh) process and measure it."""
    where = cached_index(chunks)
    settings = bench_settings(where)
    started = time.perf_counter()
    from bot.chain import Yinling
    from bot.question import prepare_query

    import_s = time.perf_counter() - started
    started = time.perf_counter()
    bot = Yinling.open(settings)
    open_s = time.perf_counter() - started
    gold = load_gold(ROOT / "evals" / "gold.jsonl")
    queries = [prepare_query(item.question, item.history).search_text for item in gold]
    retriever = bot.retriever
    fetch_k = retriever.params.fetch_k
    for query in queries:  # the embedder's first call at each input length sets that length up
        retriever.vectorstore.embeddings.embed_query(query)
    dense = [timed_ms(lambda q=q: retriever.dense_search(q, fetch_k, None)) for q in queries]
    lexical = [timed_ms(lambda q=q: retriever.bm25.top(q, fetch_k)) for q in queries]
    fused = [timed_ms(lambda q=q: retriever.search(q)) for q in queries]
    asked = [timed_ms(lambda i=item: bot.ask(i.question, i.history)) for item in gold]
    rss_mib = psutil.Process().memory_info().rss / 2**20
    add_s, remove_s = add_and_remove_one_reply(bot, settings)
    throughput = api_throughput(bot, settings)
    return {
        "chunks": bot.retriever.bm25.lexical.size,
        "import_s": round(import_s, 2),
        "open_s": round(open_s, 2),
        "rss_mib": round(rss_mib),
        "dense_p50_ms": round(p50_p95(dense)[0], 1),
        "dense_p95_ms": round(p50_p95(dense)[1], 1),
        "lexical_p50_ms": round(p50_p95(lexical)[0], 1),
        "lexical_p95_ms": round(p50_p95(lexical)[1], 1),
        "retrieval_p50_ms": round(p50_p95(fused)[0], 1),
        "retrieval_p95_ms": round(p50_p95(fused)[1], 1),
        "ask_p50_ms": round(p50_p95(asked)[0], 1),
        "ask_p95_ms": round(p50_p95(asked)[1], 1),
        "add_one_reply_s": round(add_s, 1),
        "remove_one_reply_s": round(remove_s, 1),
        **{f"api_qps_c{c}": round(qps, 1) for c, qps in throughput.items()},
    }


def add_and_remove_one_reply(bot, settings: Settings) -> tuple[float, float]:
    """Seconds to add the corpus reply under a new name (parse, embed, write, commit), then to remove it."""
    from index.building import build_from_corpus

    added = settings.corpus_dir / ADDED
    shutil.copy(next(Settings.from_env().corpus_dir.glob("*.txt")), added)
    try:
        started = time.perf_counter()
        build_from_corpus(bot.store, bot.embedder, settings.corpus_dir, settings.chunking)
        add_s = time.perf_counter() - started
    finally:
        added.unlink()
    started = time.perf_counter()
    build_from_corpus(bot.store, bot.embedder, settings.corpus_dir, settings.chunking)
    return add_s, time.perf_counter() - started


def api_throughput(bot, settings: Settings) -> dict[int, float]:
    """Answered questions per second through /api/ask, served by uvicorn in this process."""
    import httpx
    import uvicorn

    from bot.serve.api import api_app
    from tests.conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api_app(bot, settings), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    questions = [item.question for item in load_gold(ROOT / "evals" / "gold.jsonl")][:API_REQUESTS]
    results = {}
    try:
        for concurrency in (1, 4, 16):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:

                def ask(question: str, client=client) -> None:
                    client.post("/api/ask", json={"question": question}).raise_for_status()

                started = time.perf_counter()
                with ThreadPoolExecutor(concurrency) as pool:
                    list(pool.map(ask, questions))
                results[concurrency] = len(questions) / (time.perf_counter() - started)
    finally:
        server.should_exit = True
    return results


def table(rows: list[dict]) -> str:
    head = (
        "| chunks | import s | open s | RSS MiB | dense p50/p95 ms | lexical p50/p95 ms | retrieval p50/p95 ms "
        "| answer p50/p95 ms | add one reply s | remove it s | API q/s at 1/4/16 |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        lines.append(
            f"| {r['chunks']:,} | {r['import_s']} | {r['open_s']} | {r['rss_mib']} "
            f"| {r['dense_p50_ms']}/{r['dense_p95_ms']} "
            f"| {r['lexical_p50_ms']}/{r['lexical_p95_ms']} | {r['retrieval_p50_ms']}/{r['retrieval_p95_ms']} "
            f"| {r['ask_p50_ms']}/{r['ask_p95_ms']} | {r['add_one_reply_s']} | {r['remove_one_reply_s']} "
            f"| {r['api_qps_c1']}/{r['api_qps_c4']}/{r['api_qps_c16']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, help="one size only (default: 1k, 10k and 100k)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per size")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.chunks:
        result = measure(args.chunks)
        print(json.dumps(result) if args.json else table([result]))
        return
    rows = []
    for size in SIZES:
        done = subprocess.run(
            [sys.executable, __file__, "--chunks", str(size), "--json"], check=True, capture_output=True, text=True
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if args.json:
            print(json.dumps(rows[-1]), flush=True)
    if not args.json:
        print(table(rows))


if __name__ == "__main__":
    main()
