"""Typed records between retrieval, composition and the interfaces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index.records import Chunk, DocMeta


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and rank."""

    chunk: Chunk
    meta: DocMeta
    score: float
    rank: int
    dense: float = 0.0  # cosine similarity, 0 when the dense side did not find it
    lexical: float = 0.0  # BM25 score, 0 when the lexical side did not find it

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "doc_id": self.chunk.doc_id,
            "doc_title": self.meta.title,
            "doc_number": self.meta.number,
            "date": self.meta.date,
            "section": self.chunk.section,
            "status": self.chunk.status,
            "chunk_id": self.chunk.chunk_id,
            "text": self.chunk.text,
        }


@dataclass(frozen=True)
class Citation:
    """A numbered source: the chunk an answer sentence came from."""

    n: int
    hit: Hit
    sentences: tuple[str, ...]  # the cited sentences, verbatim from the chunk

    def to_json(self) -> dict[str, Any]:
        meta, chunk = self.hit.meta, self.hit.chunk
        return {
            "n": self.n,
            "doc_id": chunk.doc_id,
            "doc_title": meta.title,
            "doc_number": meta.number,
            "issuer": meta.issuer,
            "date": meta.date,
            "section": chunk.section,
            "status": chunk.status,
            "chunk_id": chunk.chunk_id,
            "text": chunk.text,
            "sentences": list(self.sentences),
        }


@dataclass(frozen=True)
class Answer:
    """What a question gets: plain text citing [n], the citations, and what was retrieved."""

    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Hit, ...] = ()
    search_query: str = ""
    reason: str = ""  # why it refused, for logs and evals
    composer: str = "extractive"  # who wrote `text`: "extractive" or "llm"
    rejected: str = ""  # why the LLM's answer was not shown, when it was not

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "composer": self.composer,
            "rejected": self.rejected,
            "citations": [citation.to_json() for citation in self.citations],
            "retrieved": [hit.to_json() for hit in self.retrieved],
        }


@dataclass(frozen=True)
class Scope:
    """The place a question names and the indexed replies that may answer it.

    `jurisdictions` empty: no reply speaks for the place, so the question is refused with that
    place's hotline, or, with `choices`, the name is several places' and the answer asks which.
    `broader` set: the place has no reply of its own and its province's (or city's) replies
    answer, which the answer's lead says.
    """

    place: str  # official full name: 长春市, 青禾市松岭县's 松岭县
    said: tuple[str, ...]  # the words of the question that name it (长春, 长春市; 马鞍山, 花山区)
    jurisdictions: tuple[str, ...] = ()
    broader: str = ""
    choices: tuple[str, ...] = ()  # several indexed places of this name (岚山市临水区, 沅江市临水区): ask which


@dataclass(frozen=True)
class Query:
    """A question made ready for retrieval."""

    question: str  # as normalised
    history: tuple[str, ...] = ()
    search_text: str = ""  # what retrieval sees: follow-up context and official terms added
    focus: tuple[str, ...] = field(default=())  # content words of this turn, weighted up
    scope: Scope | None = None  # the place the question names, if any


@dataclass(frozen=True)
class SearchFilter:
    """Which chunks a search may return; empty fields admit everything."""

    doc_id: str = ""
    status: str = ""  # done | plan | general
    jurisdictions: tuple[str, ...] = ()  # the documents' jurisdictions to keep (吉林省, 青禾市 …)

    def admits(self, chunk: Chunk, meta: DocMeta) -> bool:
        return (
            (not self.doc_id or chunk.doc_id == self.doc_id)
            and (not self.status or chunk.status == self.status)
            and (not self.jurisdictions or meta.jurisdiction in self.jurisdictions)
        )

    def __bool__(self) -> bool:
        return bool(self.doc_id or self.status or self.jurisdictions)


def search_to_json(query: str, hits: list[Hit]) -> dict[str, Any]:
    """The `search --json` and `/api/search` shape."""
    return {"query": query, "results": [hit.to_json() for hit in hits]}
