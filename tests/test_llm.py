"""The LLM composer against a real HTTP model server on loopback, over the real index.

The server (tests/fake_openai.py) speaks /v1/chat/completions, streaming and not, with scripted
replies: what a model might write, a slow reply and a 500.
"""

import dataclasses
import json
import logging

import pytest
from fastapi.testclient import TestClient

from bot.chain import Yinling
from bot.records import Answer
from bot.serve.web import create_app
from evals.__main__ import main as evals_main
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.integration

QUESTION = "全省有多少家养老机构？"
FAITHFUL = "吉林省现在一共有1558家养老机构[1]。床位超过14.45万张，其中护理型床位占58%[1]。"
REJECTED = [
    pytest.param("全省现在一共有2000家养老机构[1]。", "number", id="invented number"),
    pytest.param("全省现在一共有1558家养老机构[9]。", "citation", id="wrong citation"),
    pytest.param("北京市现在一共有1558家养老机构[1]。", "place", id="place not in the sources"),
    pytest.param("全省有1558家养老机构[1]。详情请拨打96110咨询[1]。", "phone", id="phone not in the sources"),
]
# A model server too slow for YINLING_LLM_TIMEOUT_S, and one that fails.
SERVER_FAILURES = [
    pytest.param(Reply(FAITHFUL, delay_s=3), "timeout", id="timeout"),
    pytest.param(Reply("model crashed", status=500), "http_error", id="HTTP 500"),
]


@pytest.fixture(scope="module")
def model_server():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def llm_settings(real_settings, model_server):
    return dataclasses.replace(
        real_settings,
        llm_base_url=model_server.base_url,
        llm_model="fake-qwen",
        llm_timeout_s=1,
        api_rate_limit="",
        chat_rate_limit="",
    )


@pytest.fixture(scope="module")
def llm_bot(llm_settings, real_bot):
    return Yinling.open(llm_settings, embedder=real_bot.embedder)


@pytest.fixture(scope="module")
def extractive(real_bot) -> Answer:
    return real_bot.ask(QUESTION)


def test_a_faithful_answer_is_shown_with_the_extractive_citations(llm_bot, model_server, extractive):
    model_server.script(FAITHFUL)
    answer = llm_bot.ask(QUESTION)
    assert answer.composer == "llm" and answer.rejected == "", answer.rejected
    assert answer.text == FAITHFUL
    assert answer.citations == extractive.citations, "the LLM rephrases; the sources stay the extractive ones"
    assert len(model_server.requests) == 1 and model_server.requests[0]["model"] == "fake-qwen"


def test_the_prompt_holds_the_question_and_the_numbered_sources(llm_bot, model_server, extractive):
    model_server.script(FAITHFUL)
    llm_bot.ask(QUESTION, ["吉林省的养老服务怎么样？"])
    system, user = (message["content"] for message in model_server.requests[0]["messages"])
    assert "[n]" not in system and "[1]" in system, "the system prompt shows how to cite"
    assert QUESTION in user and "吉林省的养老服务怎么样？" in user
    assert f"[1]（已经做的）{extractive.citations[0].hit.meta.issuer}" in user
    assert extractive.citations[0].sentences[0] in user


@pytest.mark.parametrize("reply, kind", REJECTED)
def test_an_answer_saying_more_than_the_sources_falls_back(llm_bot, model_server, extractive, reply, kind, caplog):
    model_server.script(reply)
    with caplog.at_level(logging.WARNING):
        answer = llm_bot.ask(QUESTION)
    assert answer.composer == "extractive" and answer.rejected.startswith(f"{kind}: "), answer.rejected
    assert answer.text == extractive.text and answer.citations == extractive.citations
    assert kind in caplog.text and QUESTION not in caplog.text, "the reason is logged, the question never"


@pytest.mark.parametrize("reply, kind", SERVER_FAILURES)
def test_a_slow_or_failing_model_server_falls_back(llm_bot, model_server, extractive, reply, kind):
    model_server.script(reply)
    answer = llm_bot.ask(QUESTION)
    assert answer.composer == "extractive" and answer.rejected.startswith(f"{kind}: "), answer.rejected
    assert answer.text == extractive.text
    assert len(model_server.requests) == 1, "no retries: the reader gets the extractive answer at once"


def test_a_refused_question_never_reaches_the_model(llm_bot, model_server):
    model_server.script(FAITHFUL)
    answer = llm_bot.ask("北京的高龄津贴是多少？")
    assert answer.refused and answer.composer == "extractive"
    assert model_server.requests == [], "refusal is decided before the model is called"


def test_the_model_may_turn_an_answer_into_a_refusal(llm_bot, model_server):
    model_server.script("无法回答")
    answer = llm_bot.ask(QUESTION)
    assert answer.refused and answer.composer == "llm" and answer.citations == ()
    assert "12345" in answer.text


def test_streaming_shows_only_verified_sentences_then_the_answer(llm_bot, model_server):
    model_server.script(FAITHFUL)
    *partials, final = llm_bot.ask_streaming(QUESTION)
    assert model_server.requests[0]["stream"] is True
    assert partials and all(isinstance(p, str) and FAITHFUL.startswith(p) for p in partials), partials
    assert partials[0] == "吉林省现在一共有1558家养老机构[1]。", "a sentence shows once complete with its mark"
    assert isinstance(final, Answer) and final.composer == "llm" and final.text == FAITHFUL


def test_streaming_stops_at_the_first_sentence_that_fails(llm_bot, model_server, extractive):
    model_server.script("全省有1558家养老机构[1]。北京市床位超过14.45万张[1]。护理型床位占58%[1]。")
    *partials, final = llm_bot.ask_streaming(QUESTION)
    assert not any("北京市" in p for p in partials), "an unverified sentence is never shown"
    assert final.composer == "extractive" and final.text == extractive.text and final.rejected.startswith("place")


@pytest.mark.parametrize("reply, kind", SERVER_FAILURES)
def test_streaming_falls_back_on_a_slow_or_failing_server(llm_bot, model_server, extractive, reply, kind):
    model_server.script(reply)
    (final,) = llm_bot.ask_streaming(QUESTION)
    assert final.composer == "extractive" and final.rejected.startswith(kind) and final.text == extractive.text


def test_the_api_says_who_wrote_the_answer_and_counts_fallbacks(llm_settings, llm_bot, model_server):
    with TestClient(create_app(llm_settings, bot=llm_bot)) as client:
        before = client.get("/api/health").json()["llm"]
        model_server.script(FAITHFUL)
        shown = client.post("/api/ask", json={"question": QUESTION}).json()
        model_server.script("全省现在一共有2000家养老机构[1]。")
        rejected = client.post("/api/ask", json={"question": QUESTION}).json()
        after = client.get("/api/health").json()["llm"]
    assert (shown["composer"], shown["rejected"], shown["answer"]) == ("llm", "", FAITHFUL)
    assert rejected["composer"] == "extractive" and rejected["rejected"].startswith("number: 2000")
    assert after["model"] == "fake-qwen" and after["answered"] == before["answered"] + 1
    assert after["fallbacks"].get("number", 0) == before["fallbacks"].get("number", 0) + 1


def test_without_llm_settings_nothing_changes(real_bot):
    assert real_bot.llm is None and real_bot.ask(QUESTION).composer == "extractive"


def test_evals_score_the_llm_composer_beside_the_extractive_one(
    real_settings, model_server, tmp_path, monkeypatch, capsys
):
    gold = tmp_path / "mini.jsonl"
    items = [
        {"id": "a", "question": QUESTION, "answerable": True, "evidence": ["1558家"], "facts": ["1558"]},
        {"id": "b", "question": "一共有多少张床位？", "answerable": True, "evidence": ["床位"], "facts": ["14.45万"]},
        {"id": "c", "question": "北京的高龄津贴是多少？", "answerable": False, "evidence": [], "facts": []},
    ]
    gold.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    for key, value in {"YINLING_LLM_BASE_URL": model_server.base_url, "YINLING_LLM_MODEL": "fake-qwen"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("YINLING_COLLECTION", real_settings.collection)
    model_server.script(FAITHFUL, "全省一共有20万张床位[1]。")
    args = ["--llm", "--set", str(gold), "--data-dir", str(real_settings.data_dir), "--no-baseline", "--json"]
    assert evals_main([*args, "--report", str(tmp_path / "report.md")]) == 0
    systems = json.loads(capsys.readouterr().out)["sets"]["mini.jsonl"]["systems"]
    assert len(model_server.requests) == 2, "the extractive row and the refused question never call the model"
    assert systems["Yinling+LLM"]["llm_rejected"] == 0.5, "one of the two written answers was rejected"
    assert systems["Yinling+LLM"]["fact_recall"] == 1.0 and "llm_rejected" not in systems["Yinling"]
    assert "Yinling+LLM" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_evals_llm_without_a_model_server_says_what_to_set(monkeypatch, capsys):
    monkeypatch.delenv("YINLING_LLM_BASE_URL", raising=False)
    assert evals_main(["--llm"]) == 2
    assert "YINLING_LLM_BASE_URL" in capsys.readouterr().err


def test_a_reasoning_models_thinking_is_not_the_answer(llm_bot, model_server):
    model_server.script(f"<think>用户问养老机构，大概2000家？看材料是1558家。</think>\n{FAITHFUL}")
    answer = llm_bot.ask(QUESTION)
    assert answer.composer == "llm" and answer.text == FAITHFUL, answer.rejected
