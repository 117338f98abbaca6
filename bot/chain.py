"""Wire the answer chain: prepare the question → retrieve → compose.

The composer is the seam for an optional LLM: any Runnable that takes
`{"query": Query, "hits": list[Hit]}` and returns an `Answer` can replace the
extractive one without touching retrieval.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from chromadb.errors import NotFoundError
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable, RunnableLambda

from bot.answer import ComposeParams, ExtractiveComposer, meta_intent
from bot.coverage import CoverageJudge, CoverageParams
from bot.places import Gazetteer, divisions, question_scope
from bot.question import default_terms, normalize, prepare_query
from bot.records import Answer, Hit, SearchFilter
from bot.retrieval import FusionParams, HybridRetriever, Segment, document_to_hit
from bot.weights import SentenceIdf
from index.embeddings import embedder_id, load_embedder
from index.errors import StoreUnavailableError
from index.lexical import Bm25Index
from index.store import IndexStore, Manifest, connect, lexical_index
from yinling.settings import Settings
from zhtext.tokens import learn_terms, tag

if TYPE_CHECKING:  # the LLM client (openai, ~1 s to import) is loaded only when one is configured
    from bot.llm import Llm, LlmComposer

log = logging.getLogger(__name__)

# A Chroma server that is down, refuses connections or times out.
STORE_OUTAGES = (httpx.TransportError, ConnectionError)
STORE_DOWN = (
    "检索服务暂时不可用：连不上向量库 Chroma。请稍后再试；"
    "运维人员请检查 Chroma 服务是否在运行，以及 CHROMA_HOST/CHROMA_PORT 是否正确"
)


@dataclass(frozen=True)
class BotParams:
    fusion: FusionParams = field(default_factory=FusionParams)
    coverage: CoverageParams = field(default_factory=CoverageParams)
    compose: ComposeParams = field(default_factory=ComposeParams)
    max_question_chars: int = 300
    # How often a running service looks for a version another process committed: a version it
    # reads stays readable (its chunks may be kept for the newer one), so it must look.
    follow_s: float = 2.0


def extractive_composer(composer: ExtractiveComposer) -> Runnable:
    """The default composer as a Runnable: the documents' own sentences, cited."""
    return RunnableLambda(lambda state: composer.compose(state["query"], state["hits"]), name="extractive_composer")


def llm_runnable(composer: LlmComposer) -> Runnable:
    """The LLM composer as a Runnable in the chain's composer seam."""
    return RunnableLambda(lambda state: composer.compose(state["query"], state["hits"]), name="llm_composer")


def build_retrieval(retriever: HybridRetriever, params: BotParams, places: Gazetteer | None = None) -> Runnable:
    """`{"question", "history", "filters"}` → `{"query", "hits"}`: the chain before its composer.

    A place the question names becomes a jurisdiction filter (bot/places.py), unless the caller
    already filters by place or document; a place no reply speaks for retrieves nothing.
    """

    def prepare(inputs: dict) -> dict:
        query = prepare_query(inputs["question"], inputs.get("history") or (), max_chars=params.max_question_chars)
        filters = inputs.get("filters") or SearchFilter()
        scope = question_scope(query, places) if places and not (filters.doc_id or filters.jurisdictions) else None
        if scope:
            # The filter keeps the place's replies; its name in the search would only find their headers.
            search_text = query.search_text
            for words in scope.said if scope.jurisdictions else ():
                search_text = search_text.replace(words, " ")
            query = dataclasses.replace(query, scope=scope, search_text=search_text)
            filters = dataclasses.replace(filters, jurisdictions=scope.jurisdictions)
        return {"query": query, "filters": filters}

    def retrieve(state: dict) -> dict:
        query = state["query"]
        if query.scope and not query.scope.jurisdictions:
            return {"query": query, "hits": []}
        return {"query": query, "hits": retrieve_hits(retriever, query.search_text, filters=state["filters"])}

    return RunnableLambda(prepare, name="prepare") | RunnableLambda(retrieve, name="retrieve")


def retrieve_hits(
    retriever: HybridRetriever, text: str, k: int | None = None, filters: SearchFilter | None = None
) -> list[Hit]:
    """Hits through the retriever's LangChain interface: the one retrieval path of every caller."""
    return [document_to_hit(document) for document in retriever.invoke(text, k=k, filters=filters)]


class Yinling:
    """The question-answering service every interface (CLI, API, UI, evals) uses."""

    def __init__(
        self,
        store: IndexStore,
        embedder: Embeddings,
        params: BotParams,
        composer: Runnable | None = None,
        llm: Llm | None = None,
    ):
        """Open the active index version in `store`.

        Args:
            store: where the index lives.
            embedder: must be the one the index was built with.
            params: retrieval, refusal and composition settings.
            composer: replaces the extractive composer; same input and output.
            llm: a chat model that rephrases the extractive answers, verified (bot/llm.py).

        Raises:
            IndexMissingError: nothing has been built yet.
            IndexMismatchError: the index was built with another embedder.
        """
        self.store = store
        self.embedder = embedder
        self.params = params
        self.custom_composer = composer
        self.llm = llm
        self._following, self._followed = threading.Lock(), time.monotonic()
        self.refresh()

    @classmethod
    def open(cls, settings: Settings, params: BotParams | None = None, embedder: Embeddings | None = None) -> Yinling:
        """Open the index named by `settings`, loading the embedder it names unless given one."""
        params = params or BotParams(max_question_chars=settings.max_question_chars)
        embedder = embedder or load_embedder(settings.embed_model)
        tag("养老")  # load the tokenizer now, not on the first question
        llm = None
        if settings.llm_enabled:
            from bot.llm import llm_from_settings

            llm = llm_from_settings(settings)
        return cls(IndexStore(connect(settings), settings.collection), embedder, params, llm=llm)

    def refresh(self) -> None:
        """Re-read the active index version, e.g. after a document was added or removed."""
        retriever, manifest = open_retriever(self.store, self.embedder, self.params.fusion)
        chunks = retriever.bm25.lexical
        idf = SentenceIdf(chunks.texts, chunks.sentences, retriever.bm25.rows_with, chunks.sections)
        judge = CoverageJudge(default_terms(), idf, self.params.coverage)
        jurisdictions = tuple({entry.meta.jurisdiction for entry in manifest.docs.values() if entry.meta.jurisdiction})
        places = divisions().with_jurisdictions(jurisdictions)
        composer = ExtractiveComposer(judge, self.params.compose, dated_leads=len(jurisdictions) > 1)
        self.llm_composer = None
        if self.llm:
            from bot.llm import LlmComposer

            self.llm_composer = LlmComposer(composer, self.llm)
        default = llm_runnable(self.llm_composer) if self.llm_composer else extractive_composer(composer)
        # The chain is retrieval | composer; streaming runs the same retrieval and composes itself.
        self.retrieval = build_retrieval(retriever, self.params, places)
        chain = self.retrieval | (self.custom_composer or default)
        self.retriever, self.manifest, self.chain = retriever, manifest, chain

    def ask(
        self, question: str, history: list[str] | tuple[str, ...] = (), filters: SearchFilter | None = None
    ) -> Answer:
        """Answer a question, with the earlier questions of the conversation, from the chunks `filters` admit.

        A question about "this reply" (这份答复是谁发的) is about the document the conversation's
        last answer cited; that answer is derived again from the history (answers are
        deterministic), so the history stays the one conversation state. A `doc_id` filter wins.
        """
        filters = self.cited_so_far(question, history, filters)
        inputs = {"question": question, "history": list(history), "filters": filters}
        return self._following_rebuilds(lambda: self.chain.invoke(inputs))

    def cited_so_far(
        self, question: str, history: list[str] | tuple[str, ...], filters: SearchFilter | None
    ) -> SearchFilter | None:
        """`filters`, narrowed to the document the last answer cited when the question is about "this reply"."""
        if history and meta_intent(normalize(question)) and not (filters and filters.doc_id):
            earlier = self.ask(history[-1], history[:-1], filters)
            if earlier.citations:
                doc_id = earlier.citations[0].hit.chunk.doc_id
                filters = dataclasses.replace(filters or SearchFilter(), doc_id=doc_id)
        return filters

    def ask_streaming(self, question: str, history: list[str] | tuple[str, ...] = ()) -> Iterator[str | Answer]:
        """Answer texts growing as an LLM writes them, each verified so far, then the final Answer.

        Without an LLM composer, only the Answer. The final Answer may replace the partial texts
        (the extractive answer, when the LLM's fails the verifier).
        """
        if not self.llm_composer or self.custom_composer:
            yield self.ask(question, history)
            return
        filters = self.cited_so_far(question, history, None)
        inputs = {"question": question, "history": list(history), "filters": filters}
        state = self._following_rebuilds(lambda: self.retrieval.invoke(inputs))
        yield from self.llm_composer.stream(state["query"], state["hits"])

    def _following_rebuilds(self, call):
        """Run `call`; if another process replaced the index version under us, re-open it once.

        Raises:
            StoreUnavailableError: the Chroma server is down or cannot be reached.
        """
        try:
            self._follow_newer_version()
            try:
                return call()
            except NotFoundError:
                log.info("the index version in use was replaced by a newer build; re-opening")
                self.refresh()
                return call()
        except STORE_OUTAGES as error:
            raise StoreUnavailableError(STORE_DOWN) from error

    def _follow_newer_version(self) -> None:
        """Re-open the index if a newer version was committed; looks at most every `follow_s` seconds."""
        now = time.monotonic()
        if now - self._followed < self.params.follow_s or not self._following.acquire(blocking=False):
            return  # another request is re-opening it; this one answers from the version in hand
        try:
            self._followed = now
            found = self.store.active_collection()
            if found and found.name != self.retriever.version:
                log.info("index version %s was committed by another process; re-opening", found.name)
                self.refresh()
        finally:
            self._following.release()

    def index_state(self) -> tuple[Manifest, int]:
        """The committed index version and its chunk count, read from the store now (health checks).

        Raises:
            YinlingError: no index, another embedder's index, or the store cannot be reached.
        """

        def read() -> tuple[Manifest, int]:
            _, manifest = self.store.open_active(embedder_id(self.embedder))
            return manifest, sum(entry.chunks for entry in manifest.docs.values())

        return self._following_rebuilds(read)

    def search(self, text: str, k: int = 5, doc_id: str = "", status: str = "", place: str = "") -> list[Hit]:
        """Ranked original paragraphs for a keyword or question (the hotline desk).

        Args:
            text: keywords or a question.
            k: how many paragraphs.
            doc_id: only from this document, when given.
            status: only `done` or only `plan` paragraphs, when given.
            place: only from replies of this jurisdiction (and the places inside it), when given.
        """
        query = prepare_query(text, max_chars=self.params.max_question_chars)
        filters = self.filters(doc_id=doc_id, status=status, place=place)
        return self._following_rebuilds(lambda: retrieve_hits(self.retriever, query.search_text, k, filters))

    def filters(self, doc_id: str = "", status: str = "", place: str = "") -> SearchFilter:
        """A SearchFilter from the interfaces' plain fields; `place` becomes the indexed jurisdictions it names."""
        return SearchFilter(doc_id, status, jurisdictions_of(place, self.manifest) if place else ())


def jurisdictions_of(place: str, manifest: Manifest) -> tuple[str, ...]:
    """The indexed jurisdictions a place names: itself, the places inside it (青禾市 → 青禾市松岭县),
    and a longer name ending in it (松岭县 → 青禾市松岭县). A place with no reply names only itself,
    so a filter on it admits nothing."""
    indexed = {entry.meta.jurisdiction for entry in manifest.docs.values() if entry.meta.jurisdiction}
    found = sorted(j for j in indexed if j.startswith(place) or j.endswith(place))
    return tuple(found) or (place,)


def open_retriever(store: IndexStore, embedder: Embeddings, fusion: FusionParams) -> tuple[HybridRetriever, Manifest]:
    """The hybrid retriever over the active index version: Chroma for dense, BM25 as stored with it."""
    collection, manifest = store.open_active(embedder_id(embedder))
    older = tuple(
        Segment(vectorstore_of(store, name, embedder), frozenset(docs), store.stored_chunks(name))
        for name, docs in sorted(manifest.segments().items())
    )
    lexical = lexical_index(store, collection)
    learn_terms(lexical.terms)
    metas = {doc_id: entry.meta for doc_id, entry in manifest.docs.items()}
    log.info("index v%s: %d documents, %d chunks", manifest.version, len(metas), lexical.size)
    bm25 = Bm25Index(lexical)
    retriever = HybridRetriever(
        vectorstore=vectorstore_of(store, collection.name, embedder),
        older=older,
        bm25=bm25,
        metas=metas,
        params=fusion,
        k=fusion.k,
        version=collection.name,
    )
    return retriever, manifest


def vectorstore_of(store: IndexStore, name: str, embedder: Embeddings) -> Chroma:
    return Chroma(
        client=store.client, collection_name=name, embedding_function=embedder, create_collection_if_not_exists=False
    )
