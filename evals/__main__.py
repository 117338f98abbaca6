"""`python -m evals [--set PATH] [--out results.jsonl] [--json] [--check]`.

Builds a fresh index of the corpus in a temporary folder (unless --data-dir names one),
runs the real pipeline and the peer baseline on a gold set, prints the metrics and
writes the report. With --check, exits 1 when a metric misses its threshold.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.chain import BotParams, Yinling
from bot.coverage import CoverageParams
from bot.retrieval import FusionParams
from evals.baseline import Baseline
from evals.goldset import GoldItem, load_gold
from evals.metrics import Outcome, aggregate, by_kind, check_thresholds, score, table
from index.building import build_fresh
from index.embeddings import load_embedder
from index.errors import YinlingError
from index.loading import read_corpus
from index.records import SourceFile
from index.settings import Settings

HERE = Path(__file__).parent
Ask = Callable[[str, list[str]], dict[str, Any]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description="在问题集上评测银龄问答")
    parser.add_argument("--set", type=Path, default=HERE / "gold.jsonl", help="问题集（JSONL）")
    parser.add_argument("--out", type=Path, help="逐题结果写入此 JSONL 文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出指标")
    parser.add_argument("--check", action="store_true", help="指标低于 thresholds.json 时以 1 退出")
    parser.add_argument("--report", type=Path, default=HERE / "REPORT.md", help="报告写到哪里")
    parser.add_argument("--no-baseline", action="store_true", help="不跑对照基线")
    parser.add_argument("--data-dir", type=Path, help="用此目录里已建好的索引，而不是临时新建")
    parser.add_argument("--k", type=int, help="检索返回几段（默认用 bot 的设置）")
    parser.add_argument("--no-refusal", action="store_true", help="关闭拒答（只用于看拒答的作用）")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        return run(args)
    except YinlingError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    gold = load_gold(args.set)
    settings = Settings.from_env()
    embedder = load_embedder(settings.embed_model)
    params = bot_params(settings, args)
    with tempfile.TemporaryDirectory(prefix="yinling-evals-") as tmp:
        if args.data_dir:
            settings = dataclasses.replace(settings, data_dir=args.data_dir, chroma_host="")
        else:
            settings = build_fresh(settings, embedder, Path(tmp), "evals")
        bot = Yinling.open(settings, params, embedder=embedder)
        outcomes, records = evaluate(gold, lambda q, h: bot.ask(q, h).to_json())
        systems = {"Yinling": aggregate(outcomes)}
        if not args.no_baseline:
            sources = [s for s in read_corpus(settings.corpus_dir) if isinstance(s, SourceFile)]
            baseline = Baseline(sources, embedder)
            systems["baseline"] = aggregate(evaluate(gold, baseline.ask)[0])
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    thresholds = json.loads((HERE / "thresholds.json").read_text())
    failures = check_thresholds(systems["Yinling"], thresholds)
    report = render_report(args.set, systems, outcomes, thresholds, failures)
    args.report.write_text(report, encoding="utf-8")
    if args.json:
        print(
            json.dumps(
                {"systems": systems, "by_kind": by_kind(outcomes), "failures": failures}, ensure_ascii=False, indent=2
            )
        )
    else:
        print(report)
    if args.check and failures:
        print("评测未达标：" + "；".join(failures), file=sys.stderr)
        return 1
    return 0


def bot_params(settings: Settings, args: argparse.Namespace) -> BotParams:
    fusion = FusionParams(k=args.k) if args.k else FusionParams()
    return BotParams(
        fusion=fusion,
        coverage=CoverageParams(enabled=not args.no_refusal),
        max_question_chars=settings.max_question_chars,
    )


def evaluate(gold: list[GoldItem], ask: Ask) -> tuple[list[Outcome], list[dict[str, Any]]]:
    """Ask every question; score it; keep the answer with its id and latency."""
    outcomes, records = [], []
    for item in gold:
        started = time.perf_counter()
        answer = ask(item.question, list(item.history))
        latency_ms = (time.perf_counter() - started) * 1000
        outcomes.append(score(item, answer, latency_ms))
        records.append({"id": item.id, **answer, "latency_ms": round(latency_ms, 1)})
    return outcomes, records


def render_report(set_path: Path, systems: dict, outcomes: list[Outcome], thresholds: dict, failures: list[str]) -> str:
    counts = {name: len(outcomes) for name in systems}
    kinds = by_kind(outcomes)
    kind_counts = {kind: sum(o.item.kind == kind for o in outcomes) for kind in kinds}
    misses = [o for o in outcomes if missed(o)]
    lines = [
        "# Evaluation report",
        "",
        f"Gold set: `{set_path.name}`, {len(outcomes)} questions. Regenerate with `python -m evals`.",
        "",
        "## Yinling against the peer baseline",
        "",
        table(systems, counts),
        "",
        "## Yinling by kind of question",
        "",
        table(kinds, kind_counts),
        "",
        "## Gate",
        "",
        "Thresholds: "
        + ", ".join(
            f"{k} {'≥ ' + str(v['min']) if 'min' in v else '≤ ' + str(v['max'])}" for k, v in thresholds.items()
        ),
        "",
        "Result: " + ("**pass**" if not failures else "**FAIL** — " + "; ".join(failures)),
        "",
        "## Questions Yinling got wrong",
        "",
    ]
    lines += [f"- `{o.item.id}` {o.item.question} — {describe_miss(o)}" for o in misses] or ["None."]
    return "\n".join(lines) + "\n"


def missed(outcome: Outcome) -> bool:
    if not outcome.item.answerable:
        return not outcome.refused
    return outcome.refused or not outcome.facts_ok or not outcome.citation_ok or (outcome.rank or 99) > 3


def describe_miss(outcome: Outcome) -> str:
    if not outcome.item.answerable:
        return "answered, should have refused"
    if outcome.refused:
        return "refused, was answerable"
    problems = []
    if (outcome.rank or 99) > 3:
        problems.append(f"evidence at rank {outcome.rank or 'none'}")
    if not outcome.facts_ok:
        problems.append("facts missing from the answer")
    if not outcome.citation_ok:
        problems.append("no cited chunk holds the evidence")
    return ", ".join(problems)


if __name__ == "__main__":
    sys.exit(main())
