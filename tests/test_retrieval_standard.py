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

from bot.chain import Yinling, jurisdictions_of, open_retriever
from bot.records import SearchFilter
from bot.retrieval import FusionParams, HybridRetriever, chroma_where
from index.building import build_fresh
from index.settings import Settings
from tests.conftest import SEED, FakeEmbeddings

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


def test_filters_become_one_chroma_where_clause():
    assert chroma_where(SearchFilter()) is None
    assert chroma_where(SearchFilter(status="plan")) == {"status": "plan"}
    assert chroma_where(SearchFilter(doc_id="d", jurisdictions=("青禾市",))) == {
        "$and": [{"doc_id": "d"}, {"jurisdiction": {"$in": ["青禾市"]}}]
    }


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilter(jurisdictions=("青禾市",)),
        SearchFilter(status="plan"),
        SearchFilter(doc_id="jilin-2023-jimin-yizi-27-low-fertility-ageing", status="done"),
    ],
)
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
