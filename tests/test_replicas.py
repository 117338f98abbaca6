"""Two app replicas behind one real `chroma run` server, and builds made beside them."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_until
from yinling.settings import ROOT

pytestmark = pytest.mark.integration

EXTRA = (
    "关于社区食堂的答复\n吉民函〔2024〕5号\n一、工作开展情况\n"
    "（一）建设食堂。今年建成社区老年食堂136个。\n吉林省民政厅\n2024年1月5日\n"
)
QUERY = "社区老年食堂136个"


def environment(settings, chroma_port: int, **extra: str) -> dict[str, str]:
    env = os.environ | {
        "YINLING_DATA_DIR": str(settings.data_dir),
        "YINLING_CORPUS_DIR": str(settings.corpus_dir),
        "YINLING_COLLECTION": settings.collection,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(chroma_port),
        "YINLING_API_RATE_LIMIT": "off",
    }
    env.pop("YINLING_TEST_GATE", None)
    return env | extra


def cli_build(env: dict[str, str], gate: Path | None = None) -> subprocess.Popen:
    """`python -m index build` with the fake embedder, held at `gate` while that file exists."""
    gated = env | ({"YINLING_TEST_GATE": str(gate)} if gate else {})
    return subprocess.Popen([sys.executable, "-m", "tests.gated_build", "build"], cwd=ROOT, env=gated)


def doc_ids(client: httpx.Client) -> set[str]:
    found = client.get("/api/search", params={"q": QUERY, "k": 20})
    found.raise_for_status()
    return {hit["doc_id"] for hit in found.json()["results"]}


def serving(client: httpx.Client) -> bool:
    try:
        return client.get("/api/health").status_code == 200
    except httpx.TransportError:
        return False


def test_two_replicas_serve_one_version_and_follow_a_cli_build_never_a_half_built(settings, chroma_server, tmp_path):
    env = environment(settings, chroma_server)
    assert cli_build(env).wait(timeout=120) == 0
    ports = [free_port(), free_port()]
    replicas = [
        subprocess.Popen([sys.executable, "-m", "tests.replica_app"], cwd=ROOT, env=env | {"YINLING_PORT": str(port)})
        for port in ports
    ]
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    try:
        for client in clients:
            wait_until(lambda client=client: serving(client), "a replica to serve")
        before = [doc_ids(client) for client in clients]
        assert before[0] == before[1] and "extra" not in before[0], "both serve version 1"

        (settings.corpus_dir / "extra.txt").write_text(EXTRA, encoding="utf-8")
        gate = tmp_path / "gate"
        gate.touch()
        build = cli_build(env, gate)
        polls: list[list[bool]] = [[], []]
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # the build holds its uncommitted version open meanwhile
            for seen, client in zip(polls, clients, strict=True):
                seen.append("extra" in doc_ids(client))
        assert not any(polls[0] + polls[1]), "an uncommitted version was served"
        gate.unlink()
        while build.poll() is None:
            for seen, client in zip(polls, clients, strict=True):
                seen.append("extra" in doc_ids(client))
        assert build.returncode == 0
        for seen, client in zip(polls, clients, strict=True):
            wait_until(lambda client=client: "extra" in doc_ids(client), "a replica to follow the build", 15)
            seen.append(True)
            first = seen.index(True)
            assert all(seen[first:]), "once the new version is served, never the old one again"
        health = [client.get("/api/health").json()["index_version"] for client in clients]
        assert health == [2, 2]
    finally:
        for replica in replicas:
            replica.kill()
            replica.wait(timeout=10)
        for client in clients:
            client.close()
