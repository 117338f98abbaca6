"""Hybrid retrieval as a LangChain retriever: Chroma dense search and jieba BM25, fused by RRF.

The retriever is the one retrieval path: the chain, the desk, the API and the CLI all call
it through `invoke(query, k=…, filters=…)`. Filters are applied inside each side — Chroma's
`where` and a mask on the BM25 scores — so a filtered search ranks within the filtered
chunks instead of fetching everything and filtering afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.records import Hit, SearchFilter
from index.lexical import Bm25Index
from index.records import DocMeta
from index.store import chunk_from_record, chunk_metadata, doc_meta_from_record


@dataclass(frozen=True)
class FusionParams:
    """Reciprocal-rank fusion: score = Σ weight / (rrf_k + rank) over the two rankings."""

    k: int = 5  # results returned
    fetch_k: int = 20  # candidates taken from each side
    rrf_k: int = 10  # small corpora want a small constant: top ranks matter more
    dense_weight: float = 1.0
    lexical_weight: float = 1.0  # measured: benchmarks/sweep_fusion.py and README


def rrf_fuse(rankings: list[tuple[list[str], float]], rrf_k: int) -> dict[str, float]:
    """Fuse ranked id lists, each with its weight, into one score per id."""
    scores: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (rrf_k + rank)
    return scores


@dataclass(frozen=True)
class Segment:
    """An older index version whose chunks the active one reads, less the documents it no longer reads there."""

    vectorstore: Chroma
    excluded: tuple[str, ...] = ()


class HybridRetriever(BaseRetriever):
    """Dense (Chroma) and lexical (BM25) search over the same chunks, fused.

    Each returned Document carries the chunk's stored metadata plus `score`, `rank`,
    `dense` (cosine similarity) and `lexical` (BM25 score).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vectorstore: Chroma
    bm25: Bm25Index
    older: tuple[Segment, ...] = ()  # see index/store.py: a version reads unchanged documents where they are
    metas: dict[str, DocMeta]
    params: FusionParams = FusionParams()
    k: int = 5  # results returned unless a call asks for another number
    version: str = ""  # the index version's collection name

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: SearchFilter | None = None,
    ) -> list[Document]:
        return [hit_to_document(hit) for hit in self.search(query, k, filters)]

    def search(self, query: str, k: int | None = None, filters: SearchFilter | None = None) -> list[Hit]:
        """The best `k` chunks for `query` among those `filters` admit, fused from both sides."""
        k = k or self.k
        filters = filters or SearchFilter()
        fetch_k = max(self.params.fetch_k, k)
        where = chroma_where(filters)
        dense = self.dense_search(query, fetch_k, where)
        dense_scores = {doc.metadata["chunk_id"]: 1.0 - distance for doc, distance in dense}
        chunks = {doc.metadata["chunk_id"]: chunk_from_record(doc.page_content, doc.metadata) for doc, _ in dense}
        lexical = self.bm25.search(query, fetch_k, admit=self.admitted_rows(filters))
        lexical_scores = {chunk.chunk_id: score for chunk, score in lexical}
        chunks.update((chunk.chunk_id, chunk) for chunk, _ in lexical)
        fused = rrf_fuse(
            [
                (list(dense_scores), self.params.dense_weight),
                ([chunk.chunk_id for chunk, _ in lexical], self.params.lexical_weight),
            ],
            self.params.rrf_k,
        )
        ranked = sorted(fused, key=lambda chunk_id: fused[chunk_id], reverse=True)[:k]
        return [
            Hit(
                chunk=chunks[chunk_id],
                meta=self.metas[chunks[chunk_id].doc_id],
                score=fused[chunk_id],
                rank=rank,
                dense=dense_scores.get(chunk_id, 0.0),
                lexical=lexical_scores.get(chunk_id, 0.0),
            )
            for rank, chunk_id in enumerate(ranked, start=1)
        ]

    def dense_search(self, query: str, k: int, where: dict[str, Any] | None) -> list[tuple[Document, float]]:
        """The `k` nearest chunks with their cosine distances, over every segment of the version."""
        if not self.older:
            return self.vectorstore.similarity_search_with_score(query, k=k, filter=where)
        vector = self.vectorstore.embeddings.embed_query(query)
        found = [
            pair
            for segment in (Segment(self.vectorstore), *self.older)
            for pair in segment.vectorstore.similarity_search_by_vector_with_relevance_scores(
                vector, k=k, filter=without_docs(where, segment.excluded)
            )
        ]
        return sorted(found, key=lambda pair: pair[1])[:k]

    def admitted_rows(self, filters: SearchFilter) -> np.ndarray | None:
        """`filters` as a mask on the BM25 rows (`SearchFilter.admits`, vectorised); None: every row."""
        if not filters:
            return None
        docs = {
            doc_id
            for doc_id, meta in self.metas.items()
            if (not filters.doc_id or doc_id == filters.doc_id)
            and (not filters.jurisdictions or meta.jurisdiction in filters.jurisdictions)
        }
        mask = np.isin(self.bm25.row_docs, list(docs))
        if filters.status:
            mask &= self.bm25.row_statuses == filters.status
        return mask


def chroma_where(filters: SearchFilter) -> dict[str, Any] | None:
    """The filters as a Chroma `where` clause on the chunks' stored metadata (None: no filter)."""
    clauses: list[dict[str, Any]] = []
    if filters.doc_id:
        clauses.append({"doc_id": filters.doc_id})
    if filters.status:
        clauses.append({"status": filters.status})
    if filters.jurisdictions:
        clauses.append({"jurisdiction": {"$in": list(filters.jurisdictions)}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def without_docs(where: dict[str, Any] | None, excluded: tuple[str, ...]) -> dict[str, Any] | None:
    """`where`, also excluding the chunks of `excluded` documents."""
    if not excluded:
        return where
    clause = {"doc_id": {"$nin": list(excluded)}}
    return {"$and": [where, clause]} if where else clause


def hit_to_document(hit: Hit) -> Document:
    """A LangChain Document filled from a Hit at the boundary."""
    scores = {"score": hit.score, "rank": hit.rank, "dense": hit.dense, "lexical": hit.lexical}
    return Document(
        page_content=hit.chunk.text, metadata=chunk_metadata(hit.chunk, hit.meta) | scores, id=hit.chunk.chunk_id
    )


def document_to_hit(document: Document) -> Hit:
    metadata = document.metadata
    return Hit(
        chunk=chunk_from_record(document.page_content, metadata),
        meta=doc_meta_from_record(metadata),
        score=metadata["score"],
        rank=metadata["rank"],
        dense=metadata["dense"],
        lexical=metadata["lexical"],
    )
