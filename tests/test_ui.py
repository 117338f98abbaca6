"""The Gradio apps as an attacker and a citizen would call them, in-process against the real index.

Gradio's own API (`/gradio_api/call/<name>`) is public: anything a browser could send, a
script can send with other values. These tests send what a browser would not.
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from fastapi.testclient import TestClient

from bot.serve.web import create_app
from index.building import build_fresh
from yinling.settings import ROOT, Settings

pytestmark = pytest.mark.integration

SECRET = "yinling-secret-7f3a9c"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("server-files") / "passwd"
    path.write_text(f"root:x:0:0:{SECRET}\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def client(real_settings, real_bot):
    settings = dataclasses.replace(
        real_settings, staff_user="staff", staff_password="s3cret", api_rate_limit="", chat_rate_limit=""
    )
    with TestClient(create_app(settings, bot=real_bot)) as client:
        yield client


def call(client: TestClient, api_name: str, data: list, prefix: str = "") -> tuple[int, str]:
    """POST a Gradio API call and read its event stream to the end: (status of the POST, all text)."""
    posted = client.post(f"{prefix}/gradio_api/call/{api_name}", json={"data": data})
    if posted.status_code != 200:
        return posted.status_code, posted.text
    event_id = posted.json()["event_id"]
    with client.stream("GET", f"{prefix}/gradio_api/call/{api_name}/{event_id}") as stream:
        return 200, "".join(stream.iter_text())


def queue_call(client: TestClient, prefix: str, fn_name: str, data: list) -> str:
    """Run an event the way the browser does (queue/join by its index), for events with no API name."""
    config = client.get(f"{prefix}/config").json()
    fn_index = next(i for i, dep in enumerate(config["dependencies"]) if dep.get("api_name") == fn_name)
    join = {"data": data, "fn_index": fn_index, "session_hash": "attacker", "event_data": None, "trigger_id": None}
    assert client.post(f"{prefix}/gradio_api/queue/join", json=join).status_code == 200
    with client.stream("GET", f"{prefix}/gradio_api/queue/data", params={"session_hash": "attacker"}) as stream:
        lines = []
        for line in stream.iter_lines():
            lines.append(line)
            if "process_completed" in line:
                break
    return "\n".join(lines)


def test_signed_out_nothing_names_the_staff_actions(client):
    for path in ("/staff/", "/staff/gradio_api/info", "/gradio_api/info", "/config"):
        text = client.get(path).text
        assert "on_upload" not in text and "on_remove" not in text, path


def file_message(path: str) -> dict:
    return {"role": "user", "content": [{"type": "file", "file": {"path": path, "meta": {"_type": "gradio.FileData"}}}]}


def served_urls(text: str) -> list[str]:
    """Every `/gradio_api/file=…` URL in a Gradio response."""
    urls = []
    for line in text.splitlines():
        if line.startswith("data:"):
            payload = line[5:].strip()
            urls += [part.split('"')[0] for part in payload.split("/gradio_api/file=")[1:]]
    return urls


@pytest.mark.parametrize(
    "data",
    [
        lambda path: ["全省有多少家养老机构？", [file_message(path)]],
        lambda path: [[file_message(path)], "全省有多少家养老机构？"],
        lambda path: [{"path": path, "meta": {"_type": "gradio.FileData"}}],
    ],
)
def test_chat_never_turns_client_data_into_a_served_file(client, secret_file, data):
    status, text = call(client, "chat", data(secret_file))
    assert SECRET not in text
    for url in served_urls(text):
        assert SECRET not in client.get(f"/gradio_api/file={url}").text, f"{url} serves a server file"
    assert "passwd" not in text or status != 200 or "error" in text.lower()


def test_chat_answers_with_server_side_history(client):
    status, first = call(client, "chat", ["全省有多少家养老机构？"])
    assert status == 200 and "1558" in first


def test_public_app_takes_no_uploads(client):
    response = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 1024)})
    assert response.status_code in (403, 404, 405)


@pytest.fixture(scope="module")
def staff_client(tmp_path_factory, real_bot):
    """An app with its own corpus and index, so an upload that got through changes nothing shared."""
    root = tmp_path_factory.mktemp("staff")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    base = dataclasses.replace(Settings(), corpus_dir=corpus, staff_user="staff", staff_password="s3cret")
    settings = build_fresh(base, real_bot.embedder, root / "data", "staff")
    with TestClient(create_app(settings)) as client:
        yield client, settings


def test_staff_upload_refuses_a_path_outside_gradios_upload_folder(staff_client, tmp_path):
    client, settings = staff_client
    server_file = tmp_path / "server-notes.txt"
    server_file.write_text(f"关于服务器的答复\n一、工作开展情况\n（一）机密。口令是{SECRET}。\n", encoding="utf-8")
    assert client.post("/staff/login", data={"username": "staff", "password": "s3cret"}).status_code == 200
    try:
        file_data = {"path": str(server_file), "orig_name": "notes.txt", "meta": {"_type": "gradio.FileData"}}
        text = queue_call(client, "/staff", "on_upload", [file_data])
    finally:
        client.cookies.clear()
    assert "完成" not in text, "a server file was indexed by its path"
    assert not any(SECRET in path.read_text(errors="ignore") for path in settings.corpus_dir.rglob("*.txt"))
