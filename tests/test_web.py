"""The JSON API and the access rules of the web app, in-process against the real index."""

import dataclasses

import pytest
from fastapi.testclient import TestClient

from bot.serve.web import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(real_settings, real_bot):
    settings = dataclasses.replace(real_settings, staff_user="staff", staff_password="s3cret")
    with TestClient(create_app(settings, bot=real_bot)) as client:
        yield client


def test_ask(client):
    response = client.post("/api/ask", json={"question": "全省有多少家养老机构？"})
    body = response.json()
    assert response.status_code == 200 and "1558" in body["answer"] and body["citations"]


def test_ask_with_history(client):
    body = client.post("/api/ask", json={"question": "那床位呢？", "history": ["全省有多少家养老机构？"]}).json()
    assert "14.45万" in body["answer"]


@pytest.mark.parametrize(
    "payload, status, message",
    [
        ({"question": "  "}, 400, "问题是空的"),
        ({"question": "？？"}, 400, "没有看懂"),
        ({"question": "养" * 1000}, 422, "question 太长：最多 300 字"),
        ({}, 422, "缺少 question"),
        ({"question": "床位", "history": "not a list"}, 422, "history 不符合要求"),
    ],
)
def test_bad_ask_gets_4xx_with_a_message(client, payload, status, message):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == status and message in response.text


def test_search(client):
    body = client.get("/api/search", params={"q": "护理型床位", "k": 3}).json()
    assert body["query"] == "护理型床位" and len(body["results"]) == 3
    assert "8.31万张" in body["results"][0]["text"]


def test_filters_reach_search_and_ask(client):
    plans = client.get("/api/search", params={"q": "养老服务", "k": 4, "status": "plan"}).json()["results"]
    assert len(plans) == 4 and {r["status"] for r in plans} == {"plan"}
    jilin = client.get("/api/search", params={"q": "养老机构", "k": 3, "place": "吉林省"}).json()["results"]
    assert len(jilin) == 3
    assert client.get("/api/search", params={"q": "养老机构", "place": "北京市"}).json()["results"] == []
    elsewhere = client.post("/api/ask", json={"question": "全省有多少家养老机构？", "place": "北京市"}).json()
    assert elsewhere["refused"] and elsewhere["citations"] == []
    assert client.get("/api/search", params={"q": "床位", "status": "later"}).status_code == 422


@pytest.mark.parametrize("params", [{"q": "床位", "k": 0}, {"q": "床位", "k": 51}, {"k": 3}])
def test_bad_search_gets_422(client, params):
    assert client.get("/api/search", params=params).status_code == 422


def test_health_and_openapi(client):
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["documents"] == 1 and health["chunks"] > 0
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/search", "/api/health"} <= set(paths)
    assert not any("document" in path or "upload" in path for path in paths)


def test_staff_actions_are_not_public(client):
    public = client.get("/gradio_api/info").json()
    assert set(public["named_endpoints"]) == {"/chat", "/desk_search"}
    assert "文档管理" not in client.get("/config").text
    assert client.get("/staff/config").status_code == 401
    assert client.get("/staff/gradio_api/info").status_code == 401


def test_staff_sign_in(client):
    assert client.post("/staff/login", data={"username": "staff", "password": "wrong"}).status_code == 400
    assert client.post("/staff/login", data={"username": "staff", "password": "s3cret"}).status_code == 200
    assert "文档管理" in client.get("/staff/config").text
    client.cookies.clear()


def test_without_credentials_there_is_no_staff_app(real_settings, real_bot):
    with TestClient(create_app(real_settings, bot=real_bot)) as client:
        assert client.get("/staff/config").status_code == 404
        assert client.post("/staff/login", data={"username": "", "password": ""}).status_code == 404
