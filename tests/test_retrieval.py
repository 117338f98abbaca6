"""bot.retrieval: rank fusion (pure), and the hybrid retriever over the real index (integration)."""

import pytest

from bot.retrieval import FusionParams, document_to_hit, rrf_fuse


def test_rrf_rewards_agreement_between_rankings():
    fused = rrf_fuse([(["a", "b", "c"], 1.0), (["c", "a"], 1.0)], rrf_k=10)
    assert max(fused, key=fused.get) == "a"
    assert fused["c"] > fused["b"]
    assert fused["a"] == pytest.approx(1 / 11 + 1 / 12)


def test_rrf_weights_scale_one_side():
    fused = rrf_fuse([(["a"], 1.0), (["b"], 3.0)], rrf_k=10)
    assert fused["b"] == pytest.approx(3 * fused["a"])


@pytest.mark.integration
def test_hybrid_search_ranks_the_facility_paragraph_first(real_bot):
    hits = real_bot.retriever.search("全省有多少家养老机构", k=5)
    assert "1558家" in hits[0].chunk.text
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits[0].meta.number == "吉民议字〔2023〕27号"
    assert hits[0].chunk.section == "一、工作开展情况 › （四）加强养老服务设施建设"
    assert hits[0].score >= hits[-1].score


@pytest.mark.integration
def test_lexical_side_finds_a_typo_the_dense_side_misses(real_bot):
    hits = real_bot.retriever.search("老年食唐建了几个", k=3)
    assert any("老年食堂" in hit.chunk.text for hit in hits)


@pytest.mark.integration
def test_is_a_langchain_retriever_with_metadata(real_bot):
    documents = real_bot.retriever.invoke("护理型床位")
    assert len(documents) == FusionParams().k
    top = documents[0].metadata
    assert {"score", "rank", "section", "doc_number", "issuer", "date", "status"} <= set(top)
    hit = document_to_hit(documents[0])
    assert hit.chunk.text == documents[0].page_content
    assert hit.meta == real_bot.manifest.docs[hit.chunk.doc_id].meta  # nothing lost at the boundary
