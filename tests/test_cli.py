"""The command lines as a hotline worker or a script runs them, on the real corpus."""

import json
import os
import subprocess
import sys

import pytest

from yinling.settings import ROOT

pytestmark = pytest.mark.integration


def run(args, settings, check=False):
    env = os.environ | {
        "YINLING_DATA_DIR": str(settings.data_dir),
        "YINLING_COLLECTION": settings.collection,
        "YINLING_CORPUS_DIR": str(settings.corpus_dir),
    }
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check)


def test_ask_json_answers_with_numbers_and_the_right_section(real_settings):
    result = run(["-m", "bot", "ask", "全省有多少家养老机构？", "--json"], real_settings, check=True)
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "answer", "refused", "composer", "rejected", "citations", "retrieved"}
    assert "1558" in answer["answer"] and "14.45万" in answer["answer"] and not answer["refused"]
    citation = answer["citations"][0]
    assert citation["section"] == "一、工作开展情况 › （四）加强养老服务设施建设"
    assert {"n", "doc_id", "doc_title", "doc_number", "issuer", "date", "section", "text"} <= set(citation)
    assert citation["doc_number"] == "吉民议字〔2023〕27号" and citation["date"] == "2023-11-23"
    assert [r["rank"] for r in answer["retrieved"]] == list(range(1, len(answer["retrieved"]) + 1))


def test_ask_refuses_another_province(real_settings):
    result = run(["-m", "bot", "ask", "北京的高龄津贴是多少？", "--json"], real_settings, check=True)
    answer = json.loads(result.stdout)
    assert answer["refused"] and answer["citations"] == [] and "12345" in answer["answer"]


def test_ask_plain_text_shows_sources(real_settings):
    result = run(["-m", "bot", "ask", "适老化改造完成了多少户？"], real_settings, check=True)
    assert "15632户" in result.stdout and "[1] 吉林省民政厅《对省政协第十三届一次会议Z1号提案的答复》" in result.stdout


def test_follow_up_through_history(real_settings):
    args = ["-m", "bot", "ask", "那床位呢？", "--history", "全省有多少家养老机构？", "--json"]
    assert "14.45万" in json.loads(run(args, real_settings, check=True).stdout)["answer"]


def test_search_lists_ranked_paragraphs(real_settings):
    result = run(["-m", "bot", "search", "护理型床位", "--k", "2", "--json"], real_settings, check=True)
    results = json.loads(result.stdout)["results"]
    assert len(results) == 2 and "8.31万张" in results[0]["text"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "   "], "问题是空的"),
        (["ask", "养" * 400], "问题太长"),
        (["search", "床位", "--k", "0"], "--k"),
    ],
)
def test_bad_input_gets_a_message_and_nonzero_exit_without_traceback(real_settings, args, message):
    result = run(["-m", "bot", *args], real_settings)
    assert result.returncode != 0 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_index_says_how_to_build(settings):
    result = run(["-m", "bot", "ask", "养老机构有多少？"], settings)
    assert result.returncode == 2 and "python -m index build" in result.stderr


def test_index_build_twice_re_embeds_nothing(settings):
    first = run(["-m", "index", "build"], settings, check=True)
    second = run(["-m", "index", "build"], settings, check=True)
    assert "嵌入 " in first.stdout and "re-embedded 0 chunks" in second.stdout
    status = run(["-m", "index", "status"], settings, check=True)
    assert "吉民议字〔2023〕27号" in status.stdout


def test_index_build_names_the_documents_whose_place_is_unknown_and_how_to_fix_it(settings):
    (settings.corpus_dir / "无落款.txt").write_text("关于助餐的答复\n已建成老年助餐点321个。\n", encoding="utf-8")
    first = run(["-m", "index", "build"], settings, check=True)
    assert "无落款.txt：地区不明、发文单位不明、日期不明" in first.stderr, first.stderr
    assert "jilin-2023" not in first.stderr.partition("正文没有写明")[2], "the seed reply says all three"
    sidecar = '{"jurisdiction": "青禾市", "issuer": "青禾市民政局", "date": "2024-05-11"}'
    (settings.corpus_dir / "无落款.txt.meta.json").write_text(sidecar, encoding="utf-8")
    second = run(["-m", "index", "build"], settings, check=True)
    assert "更新 无落款" in second.stdout and "正文没有写明" not in second.stderr, second.stderr


def test_bad_setting_is_a_message_not_a_traceback(settings):
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=os.environ | {"YINLING_PORT": "eighty", "YINLING_DATA_DIR": str(settings.data_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "YINLING_PORT" in result.stderr and "Traceback" not in result.stderr


def test_non_utf8_bytes_on_the_command_line_are_a_message_not_a_traceback(real_settings):
    env = os.environ | {"YINLING_DATA_DIR": str(real_settings.data_dir), "YINLING_COLLECTION": real_settings.collection}
    question = "全省有多少家养老机构".encode() + b"\xff\xfe"
    result = subprocess.run([sys.executable, "-m", "bot", "ask", question], cwd=ROOT, env=env, capture_output=True)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert "Traceback" not in result.stderr.decode(errors="replace") and "1558" in result.stdout.decode()
    only_bytes = subprocess.run(
        [sys.executable, "-m", "bot", "ask", b"\xff\xfe"], cwd=ROOT, env=env, capture_output=True
    )
    stderr = only_bytes.stderr.decode()
    assert only_bytes.returncode == 2 and "Traceback" not in stderr and "问题是空的" in stderr


def test_search_filters_by_status_inside_the_search(real_settings):
    args = ["-m", "bot", "search", "养老服务", "--status", "plan", "--k", "4", "--json"]
    result = run(args, real_settings, check=True)
    results = json.loads(result.stdout)["results"]
    assert len(results) == 4 and {r["status"] for r in results} == {"plan"}


def test_ask_for_a_place_without_replies_is_refused(real_settings):
    args = ["-m", "bot", "ask", "全省有多少家养老机构？", "--place", "北京市", "--json"]
    result = run(args, real_settings, check=True)
    assert json.loads(result.stdout)["refused"]
