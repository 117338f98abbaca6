import json
import subprocess
import sys

import pytest

from evals.goldset import GoldItem, load_gold
from evals.metrics import aggregate, answer_body, check_thresholds, first_sentence, numbers_grounded, score
from yinling.errors import YinlingError
from yinling.settings import ROOT

ITEM = GoldItem("q1", "全省有多少家养老机构？", True, ("养老机构1558家",), ("1558",), "numeric")
UNANSWERABLE = GoldItem("q2", "北京的高龄津贴？", False, (), (), "near_domain")


def answer(
    text, refused=False, cited="全省现已建成各类养老机构1558家", retrieved=("无关", "全省现已建成各类养老机构1558家")
):
    return {
        "question": "",
        "answer": text,
        "refused": refused,
        "citations": [] if refused else [{"n": 1, "text": cited, "doc_number": "", "date": ""}],
        "retrieved": [{"rank": i, "text": t} for i, t in enumerate(retrieved, start=1)],
    }


def test_score_finds_rank_facts_and_citation():
    outcome = score(ITEM, answer("养老机构1558家[1]"), 12.0)
    assert outcome.rank == 2 and outcome.facts_ok and outcome.citation_ok and outcome.grounded


def test_aggregate_counts_each_metric_on_its_own_questions():
    outcomes = [
        score(ITEM, answer("养老机构1558家[1]"), 10.0),
        score(ITEM, answer("抱歉", refused=True), 20.0),
        score(UNANSWERABLE, answer("抱歉", refused=True), 30.0),
    ]
    metrics = aggregate(outcomes)
    assert metrics["hit@1"] == 0.0 and metrics["hit@3"] == 1.0 and metrics["mrr"] == 0.5
    assert metrics["fact_recall"] == 0.5 and metrics["false_refusal_rate"] == 0.5
    assert metrics["citation_accuracy"] == 1.0 and metrics["refusal_accuracy"] == 1.0
    assert metrics["latency_p50_ms"] == 20.0


def test_lead_needs_the_first_fact_in_the_first_sentence_after_the_lead_in():
    lead_in = "根据吉林省民政厅的答复（吉民议字〔2023〕27号）："
    first = score(ITEM, answer(f"{lead_in}全省现已建成各类养老机构1558家。[1]另有其他。[1]"), 1.0)
    later = score(ITEM, answer(f"{lead_in}我省出台了文件。[1]全省现已建成各类养老机构1558家。[1]"), 1.0)
    assert first.lead_ok and not later.lead_ok
    assert first_sentence(f"{lead_in}全省1558家。[1]另有。") == "全省1558家。"
    assert first.chars == len("全省现已建成各类养老机构1558家。另有其他。")


def test_median_length_counts_only_answers_not_refusals():
    outcomes = [
        score(ITEM, answer("一二三[1]"), 1.0),
        score(ITEM, answer("一二三四五[1]"), 1.0),
        score(UNANSWERABLE, answer("抱歉，很长很长很长很长很长的拒答", refused=True), 1.0),
    ]
    assert aggregate(outcomes)["median_chars"] == 4
    assert answer_body("根据吉林省民政厅的答复：好。[2]") == "好。"


def test_invented_number_is_not_grounded():
    assert not numbers_grounded(answer("养老机构1600家[1]"))
    assert numbers_grounded(answer("养老机构1558家[1]"))


def test_thresholds_fail_below_min_and_above_max():
    failures = check_thresholds(
        {"hit@3": 0.9, "false_refusal_rate": 0.1},
        {"hit@3": {"min": 0.95}, "false_refusal_rate": {"max": 0.05}, "mrr": {"min": 0.5}},
    )
    assert len(failures) == 3 and "not measured" in failures[2]


def test_gold_set_is_checked(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "q", "answerable": true}\n', encoding="utf-8")
    with pytest.raises(YinlingError, match="evidence"):
        load_gold(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(YinlingError, match=":1:"):
        load_gold(path)


def test_shipped_gold_set_is_large_and_covers_every_kind():
    gold = load_gold(ROOT / "evals" / "gold.jsonl")
    kinds = {item.kind for item in gold}
    assert len(gold) >= 120
    assert {"numeric", "list", "yesno", "colloquial", "keyword", "metadata", "plan_vs_done", "followup"} <= kinds
    assert {"traditional", "typo", "near_domain", "off_topic", "instruction_words"} <= kinds


def test_shipped_evidence_is_really_in_the_corpus():
    from index.parsing import clean_lines

    corpus = "".join(clean_lines((ROOT / "corpus" / "jilin-2023-jimin-yizi-27-low-fertility-ageing.txt").read_text()))
    for path in ("gold.jsonl", "holdout.jsonl", "holdout2.jsonl"):
        for item in load_gold(ROOT / "evals" / path):
            for evidence in item.evidence:
                assert evidence in corpus, f"{item.id}: {evidence}"


@pytest.mark.integration
@pytest.mark.parametrize("degrade", [["--k", "1"], ["--no-refusal"]])
def test_gate_fails_when_quality_is_lowered(tmp_path, degrade):
    report = tmp_path / "REPORT.md"
    args = [sys.executable, "-m", "evals", "--check", "--no-baseline", "--json", "--report", str(report), *degrade]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["failures"] and "FAIL" in report.read_text()
