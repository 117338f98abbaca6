"""The HTTP edge under faults and abuse: Chroma down, bad input, floods, headers, the API contract.

Each test reproduces a finding of issue 8 against the real app and the real index.
"""

import dataclasses
import json
import logging
import re
import time

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from bot.chain import Yinling
from bot.records import search_to_json
from bot.serve.guard import BodyLimit
from bot.serve.web import create_app
from index.building import build_from_corpus
from index.store import IndexStore, connect

pytestmark = pytest.mark.integration

STAFF = {"staff_user": "staff", "staff_password": "s3cret"}
QUESTION = "全省有多少家养老机构？"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(real_settings, real_bot):
    settings = dataclasses.replace(real_settings, api_rate_limit="", chat_rate_limit="", **STAFF)
    with TestClient(create_app(settings, bot=real_bot)) as client:
        yield client


def fresh_client(real_settings, real_bot, **changes) -> TestClient:
    """A client of a new app, so its rate-limit budgets start full."""
    return TestClient(create_app(dataclasses.replace(real_settings, **STAFF, **changes), bot=real_bot))


def test_chroma_outage_gives_503_json_and_recovers(chroma, settings, real_bot, caplog):
    served = dataclasses.replace(settings, chroma_host="127.0.0.1", chroma_port=chroma.port)
    store = IndexStore(connect(served), served.collection)
    build_from_corpus(store, real_bot.embedder, served.corpus_dir, served.chunking)
    bot = Yinling.open(served, embedder=real_bot.embedder)
    with TestClient(create_app(served, bot=bot)) as client:
        assert client.get("/api/health").status_code == 200
        chroma.stop()
        with caplog.at_level(logging.WARNING):
            asked = client.post("/api/ask", json={"question": QUESTION})
            searched = client.get("/api/search", params={"q": "护理型床位"})
            health = client.get("/api/health")
        for response in (asked, searched):
            assert response.status_code == 503, response.text
            assert "连不上向量库 Chroma" in response.json()["detail"]
        assert health.status_code == 503 and health.json()["status"] == "unavailable", health.text
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], "no traceback in the log"
        assert any(r.levelno == logging.WARNING and r.name == "bot.serve.api" for r in caplog.records)
        for api_name, data in (("chat", [QUESTION]), ("desk_search", ["护理型床位", 5, "", "", ""])):
            shown = gradio_call(client, api_name, data)
            assert "系统暂时出了问题" in shown and "Traceback" not in shown, f"{api_name}: {shown[-300:]}"
        chroma.start()
        assert client.get("/api/health").status_code == 200, "the app answers again once Chroma is back"
        assert "1558" in client.post("/api/ask", json={"question": QUESTION}).json()["answer"]


def gradio_call(client: TestClient, api_name: str, data: list) -> str:
    """The data a Gradio API call streams back, decoded to readable text."""
    event_id = client.post(f"/gradio_api/call/{api_name}", json={"data": data}).json()["event_id"]
    with client.stream("GET", f"/gradio_api/call/{api_name}/{event_id}") as stream:
        lines = "".join(stream.iter_text()).splitlines()
    payloads = [json.loads(line[5:]) for line in lines if line.startswith("data:") and line[5:].strip() != "null"]
    return json.dumps(payloads, ensure_ascii=False)


def test_health_reads_the_index_from_the_store(client, real_bot):
    body = client.get("/api/health").json()
    chunks = sum(entry.chunks for entry in real_bot.manifest.docs.values())
    assert body == {
        "status": "ok",
        "index_version": real_bot.manifest.version,
        "embedder": real_bot.manifest.embedder,
        "documents": 1,
        "chunks": chunks,
        "llm": None,
    }


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"question": "\\ud800\\u517b\\u8001"}', "无法识别的字符"),  # a lone surrogate escape
        (b'{"question": "\\u517b\\u8001", "history": ["\\udfff"]}', "history.0 里有无法识别的字符"),
        ('{"question": "养老"}'.encode().replace("养".encode(), b"\xed\xa0\x80"), "无法识别的字符"),
        (b'{"question": "\xff\xfe"}', "UTF-8"),
    ],
)
def test_invalid_unicode_gets_400_with_a_message(client, body, message):
    response = client.post("/api/ask", content=body, headers=JSON)
    assert response.status_code == 400 and message in response.json()["detail"], response.text


def test_ten_megabyte_body_is_refused_before_any_work(client):
    started = time.monotonic()
    response = client.post("/api/ask", content=b'{"question": "' + b"a" * 10 * 2**20 + b'"}', headers=JSON)
    assert response.status_code == 413 and "最多 64 KB" in response.json()["detail"]
    assert time.monotonic() - started < 2, "refused by its Content-Length, without reading it"


def test_streamed_body_without_length_is_refused(client):
    chunks = (b"a" * 10_000 for _ in range(1000))
    response = client.post("/api/ask", content=chunks, headers=JSON)
    assert response.status_code == 413 and response.json()["detail"].startswith("请求体太大")


async def test_a_streamed_body_is_read_no_further_than_the_limit():
    pulled = 0

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"a" * 1000, "more_body": True}

    async def app(scope, receive, send):
        while (await receive())["more_body"]:
            pass

    sent = []

    async def send(message):
        sent.append(message)

    await BodyLimit(app, max_bytes=10_000)({"type": "http", "path": "/api/ask", "headers": []}, receive, send)
    assert pulled == 11 and sent[0]["status"] == 413


def test_staff_upload_is_bounded_by_its_own_file_size_limit(client):
    assert client.post("/staff/login", data={"username": "staff", "password": "s3cret"}).status_code == 200
    document = ("答复.txt", "全省已建成老年助餐点321个。\n".encode() * 20_000, "text/plain")  # ~0.8 MB
    response = client.post("/staff/gradio_api/upload", files={"files": document})
    client.cookies.clear()
    assert response.status_code == 200, "max_body_kb does not apply to Gradio's upload route"


def test_huge_history_is_rejected_fast(client, real_settings, real_bot):
    history = ["养" * 500_000] * 20
    started = time.monotonic()
    assert client.post("/api/ask", json={"question": "那床位呢？", "history": history}).status_code == 413
    with fresh_client(real_settings, real_bot, max_body_kb=100_000) as roomy:  # past the body limit, the schema
        response = roomy.post("/api/ask", json={"question": "那床位呢？", "history": history})
    assert response.status_code == 422 and "history.0 太长：最多 300 字" in response.json()["detail"]
    assert time.monotonic() - started < 10, "the old code took 21.7 s to embed this"


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"question": "那床位呢？", "history": ["床位"] * 21}, "history 太多：最多 20 条"),
        ({"question": "那床位呢？", "history": ["养" * 301]}, "history.0 太长：最多 300 字"),
        ({"question": "养" * 301}, "question 太长：最多 300 字"),
    ],
)
def test_history_and_question_are_bounded(client, payload, message):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422 and message in response.json()["detail"], response.text


def test_wrong_passwords_are_throttled(real_settings, real_bot):
    with fresh_client(real_settings, real_bot) as client:
        responses = [client.post("/staff/login", data={"username": "staff", "password": "wrong"}) for _ in range(30)]
    assert [r.status_code for r in responses] == [400] * 5 + [429] * 25  # login_rate_limit 5/minute
    refused = responses[-1]
    assert "登录尝试太频繁（每分钟最多 5 次）" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 60


def test_api_is_rate_limited_per_client_address(real_settings, real_bot):
    with fresh_client(real_settings, real_bot, api_rate_limit="3/minute") as client:
        statuses = [client.get("/api/search", params={"q": "床位"}).status_code for _ in range(3)]
        refused = client.post("/api/ask", json={"question": QUESTION})
        health = client.get("/api/health")
        elsewhere = TestClient(client.app, client=("192.0.2.7", 50000)).get("/api/search", params={"q": "床位"})
    assert statuses == [200] * 3 and refused.status_code == 429
    assert "请求太频繁（每分钟最多 3 次）" in refused.json()["detail"] and int(refused.headers["retry-after"]) > 0
    assert health.status_code == 200, "health checks are never throttled"
    assert elsewhere.status_code == 200, "another address has its own budget"


def test_the_public_chat_is_rate_limited_per_client_address(real_settings, real_bot):
    """Every question of the web chat joins Gradio's queue; a client past its budget is refused there."""
    with fresh_client(real_settings, real_bot, chat_rate_limit="2/minute") as client:
        joined = [client.post("/gradio_api/queue/join", json={}).status_code for _ in range(2)]
        refused = client.post("/gradio_api/queue/join", json={})
        api = client.post("/api/ask", json={"question": QUESTION})
        elsewhere = TestClient(client.app, client=("192.0.2.8", 50000)).post("/gradio_api/queue/join", json={})
    assert 429 not in joined, joined
    assert refused.status_code == 429 and "请求太频繁（每分钟最多 2 次）" in refused.json()["detail"]
    assert api.status_code == 200, "the API has a budget of its own"
    assert elsewhere.status_code != 429, "another address has its own budget"


def static_asset(client: TestClient) -> str:
    return re.search(r'src="\./(assets/[^"]+\.js)"', client.get("/").text)[1]


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/"), ("POST", "/api/ask"), ("GET", "/api/health"), ("GET", "/staff/"), ("GET", "asset")],
)
def test_security_headers_on_every_response(client, method, path):
    path = "/" + static_asset(client) if path == "asset" else path
    response = client.request(method, path, json={"question": QUESTION} if method == "POST" else None)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "default-src 'self'"):
        assert directive in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "microphone=()" in response.headers["permissions-policy"]


def test_refusals_carry_the_security_headers_too(client):
    too_big = client.post("/api/ask", content=b"x" * 70_000, headers=JSON)
    assert too_big.status_code == 413 and too_big.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("TRACE", "/api/ask", "POST"),
        ("PUT", "/api/ask", "POST"),
        ("TRACE", "/api/search", "GET"),
        ("DELETE", "/api/health", "GET"),
    ],
)
def test_unsupported_method_is_405(client, method, path, allowed):
    response = client.request(method, path)
    assert response.status_code == 405 and response.headers["allow"] == allowed
    assert f"不接受 {method} 请求" in response.json()["detail"]


def test_openapi_states_limits_and_shapes(client):
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    ask = components["AskRequest"]["properties"]
    assert ask["question"]["maxLength"] == 300
    assert ask["history"]["maxItems"] == 20 and ask["history"]["items"]["maxLength"] == 300
    search = {p["name"]: p["schema"] for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert search["q"]["maxLength"] == 300 and (search["k"]["minimum"], search["k"]["maximum"]) == (1, 50)
    answer = schema["paths"]["/api/ask"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/AnswerJson")
    assert set(components["CitationJson"]["properties"]) >= {"n", "doc_number", "sentences"}
    assert "503" in schema["paths"]["/api/health"]["get"]["responses"]


def test_json_is_exactly_the_records_shapes(client, real_bot):
    history = [QUESTION]
    asked = client.post("/api/ask", json={"question": "那床位呢？", "history": history}).json()
    assert asked == real_bot.ask("那床位呢？", history).to_json()
    searched = client.get("/api/search", params={"q": "护理型床位", "k": 3}).json()
    assert searched == search_to_json("护理型床位", real_bot.search("护理型床位", k=3))


def test_api_conforms_to_its_openapi_schema(real_settings, real_bot):
    """Schemathesis: every phase (examples, coverage, fuzzing) against the real app, zero failures.

    A schema-valid question without words ("？？") is refused with 400: JSON Schema's regex
    dialect cannot state "has a letter or a Chinese character" as Python does, so 400 counts
    as an answer to valid data.
    """
    app = create_app(dataclasses.replace(real_settings, api_rate_limit="", chat_rate_limit=""), bot=real_bot)
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400"]}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)
    failures, cases = [], 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            cases += len(event.recorder.cases)
            for nodes in event.recorder.checks.values():
                failures += [
                    f"{node.name}: {node.failure_info.code_sample}" for node in nodes if node.status == Status.FAILURE
                ]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(repr(event))
    assert cases > 50, "schemathesis ran"
    assert not failures, "\n".join(failures)
