"""Wire the answer chain: prepare the question → retrieve → compose.

The composer is the seam for an optional LLM: any Runnable that takes
`{"query": Query, "hits": list[Hit]}` and returns an `Answer` can replace the
extractive one without touching retrieval.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable, RunnableLambda

from bot.answer import ComposeParams, ExtractiveComposer, SentenceIdf
from bot.coverage import CoverageJudge, CoverageParams
from bot.question import default_terms, prepare_query
from bot.records import Answer, Hit, Query
from bot.retrieval import FusionParams, HybridRetriever
from index.embeddings import embedder_id, load_embedder
from index.lexical import Bm25Index, tag
from index.settings import Settings
from index.store import IndexStore, Manifest, connect, read_chunks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotParams:
    fusion: FusionParams = field(default_factory=FusionParams)
    coverage: CoverageParams = field(default_factory=CoverageParams)
    compose: ComposeParams = field(default_factory=ComposeParams)
    max_question_chars: int = 300


def extractive_composer(composer: ExtractiveComposer) -> Runnable:
    """The default composer as a Runnable: the documents' own sentences, cited."""
    return RunnableLambda(lambda state: composer.compose(state["query"], state["hits"]), name="extractive_composer")


def build_chain(retriever: HybridRetriever, composer: Runnable, params: BotParams) -> Runnable:
    """`{"question", "history"}` → Answer, as one LangChain Runnable."""

    def prepare(inputs: dict) -> Query:
        return prepare_query(inputs["question"], inputs.get("history") or (), max_chars=params.max_question_chars)

    def retrieve(query: Query) -> dict:
        return {"query": query, "hits": retriever.search(query.search_text)}

    return RunnableLambda(prepare, name="prepare") | RunnableLambda(retrieve, name="retrieve") | composer


class Yinling:
    """The question-answering service every interface (CLI, API, UI, evals) uses."""

    def __init__(
        self, retriever: HybridRetriever, manifest: Manifest, params: BotParams, composer: Runnable | None = None
    ):
        self.retriever = retriever
        self.manifest = manifest
        self.params = params
        chunks = retriever.bm25.chunks
        judge = CoverageJudge("\n".join(chunk.embed_text for chunk in chunks), default_terms(), params.coverage)
        self.composer = ExtractiveComposer(judge, SentenceIdf([chunk.text for chunk in chunks]), params.compose)
        self.chain = build_chain(retriever, composer or extractive_composer(self.composer), params)

    @classmethod
    def open(cls, settings: Settings, params: BotParams | None = None, embedder: Embeddings | None = None) -> Yinling:
        """Open the built index named by `settings`.

        Raises:
            IndexMissingError: nothing has been built yet.
            IndexMismatchError: the index was built with another embedder.
        """
        params = params or BotParams(max_question_chars=settings.max_question_chars)
        embedder = embedder or load_embedder(settings.embed_model)
        store = IndexStore(connect(settings), settings.collection)
        tag("养老")  # load the tokenizer now, not on the first question
        return cls(open_retriever(store, embedder, params.fusion), store.open_active(embedder_id(embedder))[1], params)

    def ask(self, question: str, history: list[str] | tuple[str, ...] = ()) -> Answer:
        """Answer a question, with the earlier questions of the conversation."""
        return self.chain.invoke({"question": question, "history": list(history)})

    def search(self, text: str, k: int = 5) -> list[Hit]:
        """Ranked original paragraphs for a keyword or question (the hotline desk)."""
        query = prepare_query(text, max_chars=self.params.max_question_chars)
        return self.retriever.search(query.search_text, k=k)


def open_retriever(store: IndexStore, embedder: Embeddings, fusion: FusionParams) -> HybridRetriever:
    """The hybrid retriever over the active index version: Chroma for dense, BM25 rebuilt from it."""
    collection, manifest = store.open_active(embedder_id(embedder))
    vectorstore = Chroma(
        client=store.client,
        collection_name=collection.name,
        embedding_function=embedder,
        create_collection_if_not_exists=False,
    )
    chunks = read_chunks(collection)
    metas = {doc_id: entry.meta for doc_id, entry in manifest.docs.items()}
    log.info("index v%s: %d documents, %d chunks", manifest.version, len(metas), len(chunks))
    return HybridRetriever(vectorstore=vectorstore, bm25=Bm25Index(chunks), metas=metas, params=fusion)
