"""The hybrid retriever as LangChain sees it: the standard retriever tests, and filters pushed into both sides.

The index holds the seed and the fictional fixture replies of several places (real Chroma,
the deterministic fake embedder), built once per module.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from bot import retrieval
from bot.chain import Yinling, jurisdictions_of, open_retriever
from bot.records import SearchFilter
from bot.retrieval import FusionParams, HybridRetriever
from index.building import build_fresh
from tests.conftest import SEED, FakeEmbeddings
from yinling.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "replies"


@cache
def multi_place_settings() -> Settings:
    """An index of the seed plus every fixture reply, in a folder that lives as long as the test run."""
    root = Path(tempfile.mkdtemp(prefix="yinling-retrieval-"))
    corpus = root / "corpus"
    shutil.copytree(FIXTURES, corpus, ignore=shutil.ignore_patterns("*.json"))
    shutil.copy(SEED, corpus / SEED.name)
    base = dataclasses.replace(Settings(), corpus_dir=corpus)
    return build_fresh(base, FakeEmbeddings(), root / "data", "standard")


@cache
def bot() -> Yinling:
    return Yinling.open(multi_place_settings(), embedder=FakeEmbeddings())


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        retriever, _ = open_retriever(bot().store, FakeEmbeddings(), FusionParams())
        return {"vectorstore": retriever.vectorstore, "bm25": retriever.bm25, "metas": retriever.metas}

    @property
    def retriever_query_example(self) -> str:
        return "老年食堂建了多少个"


FILTERS = [
    SearchFilter(jurisdictions=("青禾市",)),
    SearchFilter(status="plan"),
    SearchFilter(doc_id="jilin-2023-jimin-yizi-27-low-fertility-ageing", status="done"),
]


@pytest.mark.parametrize("path", ["overfetch", "brute force", "ids"])
@pytest.mark.parametrize("filters", [SearchFilter(), *FILTERS])
def test_each_dense_path_ranks_the_admitted_chunks_as_an_exact_search_does(monkeypatch, filters, path):
    """Whichever way a filter is applied on the dense side, the result is the exact nearest admitted chunks."""
    overfetch, brute_force = {"overfetch": (10**6, 0), "brute force": (-1, 10**6), "ids": (-1, 0)}[path]
    monkeypatch.setattr(retrieval, "OVERFETCH", overfetch)
    monkeypatch.setattr(retrieval, "BRUTE_FORCE", brute_force)
    retriever = bot().retriever
    query = "养老服务 老年食堂 床位"
    found = retriever.dense_search(query, 6, retriever.admitted_rows(filters))
    stored = retriever.vectorstore._collection.get(include=["embeddings", "metadatas"])
    vector = retriever.vectorstore.embeddings.embed_query(query)
    admitted = [
        (i, m["chunk_id"])
        for i, m in enumerate(stored["metadatas"])
        if filters.admits(
            retriever.bm25.lexical.chunk(retriever.bm25.lexical.chunk_ids.index(m["chunk_id"])),
            retriever.metas[m["doc_id"]],
        )
    ]
    ids, distances = retrieval.compared(
        vector, [c for _, c in admitted], [stored["embeddings"][i] for i, _ in admitted], 6
    )
    assert [retriever.bm25.lexical.chunk_ids[row] for row, _ in found] == ids, path
    assert [round(d, 4) for _, d in found] == [round(d, 4) for d in distances]


@pytest.mark.parametrize("filters", FILTERS)
def test_a_filtered_search_returns_k_admitted_chunks(filters):
    hits = bot().retriever.search("养老服务 老年食堂 床位", k=4, filters=filters)
    assert len(hits) == 4, "filtering inside the search still fills k"
    assert all(filters.admits(hit.chunk, hit.meta) for hit in hits)
    assert [hit.rank for hit in hits] == [1, 2, 3, 4]


def test_the_desk_filters_by_place_including_the_places_inside_it():
    service = bot()
    assert jurisdictions_of("青禾市", service.manifest) == ("青禾市", "青禾市松岭县")
    assert jurisdictions_of("松岭县", service.manifest) == ("松岭县", "青禾市松岭县")
    assert jurisdictions_of("北京市", service.manifest) == ("北京市",)
    hits = service.search("老年食堂", k=5, place="青禾市")
    assert hits and {hit.meta.jurisdiction for hit in hits} <= {"青禾市", "青禾市松岭县"}
    assert service.search("老年食堂", k=5, place="北京市") == []


def test_an_answer_filtered_to_a_place_without_replies_is_a_refusal():
    service = bot()
    answer = service.ask("老年食堂建了多少个？", filters=service.filters(place="北京市"))
    assert answer.refused and answer.citations == () and answer.retrieved == ()
