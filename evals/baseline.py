"""The peer baseline: the plain LangChain recipe a newcomer would build.

RecursiveCharacterTextSplitter with its default separators, Chroma dense retrieval with
the same embedder, the top chunk as the answer, no refusal and no conversation memory.
"""

from __future__ import annotations

import uuid
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.records import SourceFile


class Baseline:
    def __init__(self, sources: list[SourceFile], embedder: Embeddings, chunk_size: int = 500, overlap: int = 50):
        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
        texts, metadatas = [], []
        for source in sources:
            for text in splitter.split_text(source.text):
                texts.append(text)
                metadatas.append({"source": source.name})
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma.from_texts(
            texts, embedder, metadatas=metadatas, client=client, collection_name=f"baseline-{uuid.uuid4().hex[:8]}"
        )

    def ask(self, question: str, history: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
        """The same shape as `python -m bot ask --json`."""
        found = self.store.similarity_search_with_score(question, k=5)
        retrieved = [
            {
                "rank": rank,
                "score": 1.0 - distance,
                "doc_id": doc.metadata["source"],
                "section": "",
                "text": doc.page_content,
            }
            for rank, (doc, distance) in enumerate(found, start=1)
        ]
        top = found[0][0].page_content if found else ""
        citations = [{"n": 1, "doc_id": retrieved[0]["doc_id"], "text": top}] if found else []
        return {"question": question, "answer": top, "refused": False, "citations": citations, "retrieved": retrieved}
