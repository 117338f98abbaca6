"""Score answers against the gold set. Pure functions of the answers' JSON."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any

from evals.goldset import GoldItem

METRICS = (
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("fact_recall", "fact recall"),
    ("citation_accuracy", "citation acc"),
    ("grounded", "numbers grounded"),
    ("refusal_accuracy", "refusal acc"),
    ("false_refusal_rate", "false refusal"),
    ("lead", "lead"),
    ("median_chars", "median chars"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
    ("llm_rejected", "verifier rejection rate"),
)
WHITESPACE = re.compile(r"\s+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
# The answer's lead-in ("根据吉林省民政厅的答复（吉民议字〔2023〕27号）：") and its citation marks.
# A place with no reply of its own is answered from its province's, after a sentence saying so.
LEAD_IN = re.compile(r"^(?:现有答复文件里没有[^。]{0,60}。)?根据[^：:]{0,60}的答复(?:（[^）]*）)?[：:]")
CITATION_MARK = re.compile(r"\[\d+\]")
# How bot/llm.py names a fallback that was the model server's fault, not the verifier's.
LLM_ERRORS = ("timeout:", "http_error:", "connection:", "bad_reply:")
FIRST_SENTENCE = re.compile(r"^.*?(?:[。！？!?]|$)", re.DOTALL)


@dataclass(frozen=True)
class Outcome:
    """How one answer fared."""

    item: GoldItem
    rank: int | None  # rank of the first retrieved chunk holding the evidence
    facts_ok: bool
    citation_ok: bool
    refused: bool
    grounded: bool
    latency_ms: float
    lead_ok: bool = False  # the first asked fact stands in the answer's first sentence
    chars: int = 0  # length of the answer body: no lead-in, no citation marks


def squash(text: str) -> str:
    return WHITESPACE.sub("", text)


def holds_evidence(text: str, item: GoldItem) -> bool:
    text = squash(text)
    return any(squash(evidence) in text for evidence in item.evidence)


def answer_body(text: str) -> str:
    """The answer as read: without the "根据…的答复（…）：" lead-in and the [n] marks."""
    return CITATION_MARK.sub("", LEAD_IN.sub("", text.strip())).strip()


def first_sentence(text: str) -> str:
    """The body up to its first sentence end (。！？)."""
    match = FIRST_SENTENCE.match(answer_body(text))
    return match.group(0) if match else ""


def score(item: GoldItem, answer: dict[str, Any], latency_ms: float) -> Outcome:
    """Judge one `ask --json` answer against its gold item."""
    rank = next((r["rank"] for r in answer["retrieved"] if holds_evidence(r["text"], item)), None)
    text = squash(answer["answer"])
    lead = squash(first_sentence(answer["answer"]))
    cited = [c["text"] for c in answer["citations"]]
    return Outcome(
        item=item,
        rank=rank,
        facts_ok=all(squash(fact) in text for fact in item.facts),
        citation_ok=any(holds_evidence(t, item) for t in cited),
        refused=answer["refused"],
        grounded=numbers_grounded(answer),
        latency_ms=latency_ms,
        lead_ok=bool(item.facts) and squash(item.facts[0]) in lead,
        chars=len(squash(answer_body(answer["answer"]))),
    )


def numbers_grounded(answer: dict[str, Any]) -> bool:
    """Every number in the answer stands in a cited chunk or its document metadata."""
    if answer["refused"]:
        return True
    sources = " ".join(
        f"{c['text']} {c.get('doc_number', '')} {c.get('date', '')} {c.get('date', '').replace('-', '')}"
        for c in answer["citations"]
    )
    dates = " ".join(f"{int(p)}" for c in answer["citations"] for p in c.get("date", "").split("-") if p)
    body = re.sub(r"\[\d+\]", "", answer["answer"])
    return all(n in sources or n in dates for n in NUMBER.findall(body))


def aggregate(outcomes: list[Outcome]) -> dict[str, float]:
    """The metrics of a set of outcomes; a metric with no question to count is omitted."""
    answerable = [o for o in outcomes if o.item.answerable]
    unanswerable = [o for o in outcomes if not o.item.answerable]
    answered = [o for o in answerable if not o.refused]
    metrics: dict[str, float] = {}
    if answerable:
        for k in (1, 3, 5):
            metrics[f"hit@{k}"] = mean(o.rank is not None and o.rank <= k for o in answerable)
        metrics["mrr"] = mean(1 / o.rank if o.rank else 0.0 for o in answerable)
        metrics["fact_recall"] = mean(o.facts_ok and not o.refused for o in answerable)
        metrics["false_refusal_rate"] = mean(o.refused for o in answerable)
    if answered:
        metrics["citation_accuracy"] = mean(o.citation_ok for o in answered)
        metrics["grounded"] = mean(o.grounded for o in answered)
    with_facts = [o for o in answered if o.item.facts]
    if with_facts:
        metrics["lead"] = mean(o.lead_ok for o in with_facts)
    spoken = [o.chars for o in outcomes if not o.refused]
    if spoken:
        metrics["median_chars"] = statistics.median(spoken)
    if unanswerable:
        metrics["refusal_accuracy"] = mean(o.refused for o in unanswerable)
    latencies = sorted(o.latency_ms for o in outcomes)
    if latencies:
        metrics["latency_p50_ms"] = statistics.median(latencies)
        metrics["latency_p95_ms"] = percentile(latencies, 95)
    return metrics


def verifier_rejection_rate(answers: list[dict[str, Any]]) -> float:
    """Of the answers an LLM wrote, the share the verifier did not let through (errors not counted)."""
    written = [a for a in answers if a.get("composer") == "llm" or a.get("rejected")]
    return mean(a["rejected"] != "" and not a["rejected"].startswith(LLM_ERRORS) for a in written)


def by_kind(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    kinds = sorted({o.item.kind for o in outcomes})
    return {kind: aggregate([o for o in outcomes if o.item.kind == kind]) for kind in kinds}


def mean(values) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else 0.0


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def check_thresholds(metrics: dict[str, float], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """The failures: each metric under its `min` or over its `max`."""
    failures = []
    for name, bound in thresholds.items():
        if name not in metrics:
            failures.append(f"{name}: not measured")
            continue
        value = metrics[name]
        if "min" in bound and value < bound["min"]:
            failures.append(f"{name} = {value:.3f} < {bound['min']}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{name} = {value:.3f} > {bound['max']}")
    return failures


def format_value(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if name.startswith("latency") or name == "median_chars" else f"{value:.3f}"


def table(rows: dict[str, dict[str, float]], counts: dict[str, int] | None = None) -> str:
    """A Markdown table: one row per system or kind, one column per metric."""
    header = "| | n | " + " | ".join(label for _, label in METRICS) + " |"
    lines = [header, "|" + "---|" * (len(METRICS) + 2)]
    for name, metrics in rows.items():
        n = str(counts.get(name, "")) if counts else ""
        cells = " | ".join(format_value(key, metrics.get(key)) for key, _ in METRICS)
        lines.append(f"| {name} | {n} | {cells} |")
    return "\n".join(lines)
