"""Build or update the index from the corpus, re-embedding only what changed."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from index.chunking import chunk_document
from index.corrections import corrected
from index.embeddings import embedder_id
from index.errors import DocumentError, StoreError
from index.lexical import LexicalIndex
from index.loading import read_corpus
from index.locking import build_lock
from index.parsing import parse_document
from index.records import BuildReport, Chunk, DocMeta, SourceFile
from index.store import (
    MAX_SEGMENTS,
    DocEntry,
    IndexStore,
    Manifest,
    connect,
    copy_documents,
    lexical_index,
    require_compatible,
    write_chunks,
)
from yinling.errors import YinlingError
from yinling.settings import ChunkingParams, Settings

log = logging.getLogger(__name__)

# Bump when parsing or chunking changes what the same text produces: every document is re-chunked.
PARSER_VERSION = 5  # 5: header marks, shortened signatures, 文号 codes (index/metadata.py)
EMBED_BATCH = 32

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class PreparedDoc:
    """A corpus document: parsed and chunked, or, unchanged since the active version, as it stored it."""

    source: SourceFile
    meta: DocMeta
    chunks: list[Chunk]
    stored: DocEntry | None = None  # unchanged: not parsed again, its chunks stay where they are

    @property
    def chunk_count(self) -> int:
        return self.stored.chunks if self.stored else len(self.chunks)


def doc_id_for(name: str) -> str:
    """A stable id from the file's path in the corpus: `a/b 答复.txt` → `a__b-答复`."""
    stem = name.rsplit(".", 1)[0]
    return re.sub(r"[^\w\-]+", "-", stem.replace("/", "__")).strip("-") or "doc"


def prepare(source: SourceFile, params: ChunkingParams) -> PreparedDoc:
    parsed = parse_document(source.text, doc_id_for(source.name), source=source.name)
    parsed = dataclasses.replace(parsed, meta=corrected(parsed.meta, source.corrections))
    return PreparedDoc(source, parsed.meta, chunk_document(parsed, params))


def build_index(
    store: IndexStore,
    embedder: Embeddings,
    corpus_sources: list[SourceFile | DocumentError],
    params: ChunkingParams,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    exclusive: bool = False,
) -> BuildReport:
    """Bring the index in line with the corpus.

    Unchanged documents keep their stored vectors; changed and new ones are embedded;
    removed ones disappear. The new state becomes visible only when all of it is
    written: on any failure the index that was active stays intact and usable.

    Args:
        store: where the index lives.
        embedder: embeds changed chunks; must match the index unless `rebuild`.
        corpus_sources: the corpus as read, with the errors of unreadable files.
        params: chunk size bounds.
        rebuild: re-embed everything, also when the embedder changed.
        progress: called with (stage, done, total) while embedding.
        exclusive: the caller holds the build lock (`index.locking.build_lock`), so whatever
            uncommitted versions earlier builds left behind are dropped.

    Returns:
        What was added, updated, removed, kept and skipped.

    Raises:
        IndexBusyError: another build committed while this one ran; nothing was committed.
        StoreError: writing failed; the message says what the index is now.
    """
    report = BuildReport()
    store.drop_uncommitted(exclusive=exclusive)
    active = store.active()
    new_manifest = Manifest(embedder_id(embedder), 0, params.as_dict(), PARSER_VERSION)
    old_docs: dict[str, DocEntry] = {}
    if active and not rebuild:
        require_compatible(active[1], new_manifest.embedder)
        if (active[1].chunking, active[1].parser_version) == (new_manifest.chunking, PARSER_VERSION):
            old_docs = active[1].docs
    docs = prepared_docs(corpus_sources, params, report, old_docs)
    keep = {doc_id for doc_id, doc in docs.items() if doc.stored}
    classify(report, docs, keep, active[1].docs if active else {})
    report.total_chunks = sum(doc.chunk_count for doc in docs.values())
    if active and not report.changed and not rebuild:
        return report
    new_manifest.version = (active[1].version + 1) if active else 1
    write_version(store, embedder, docs, keep, active, new_manifest, report, progress)
    return report


def prepared_docs(
    sources: list[SourceFile | DocumentError],
    params: ChunkingParams,
    report: BuildReport,
    stored: dict[str, DocEntry] | None = None,
) -> dict[str, PreparedDoc]:
    """The corpus's documents by id; those `stored` with the same content hash are not parsed again."""
    stored = stored or {}
    docs: dict[str, PreparedDoc] = {}
    for source in sources:
        if isinstance(source, DocumentError):
            name, _, reason = str(source).partition(": ")
            report.skipped[name] = reason or str(source)
            log.warning("skipped %s", source)
            continue
        entry = stored.get(doc_id_for(source.name))
        if entry and entry.sha256 == source.sha256:
            doc = PreparedDoc(source, entry.meta, [], stored=entry)
        else:
            doc = prepare(source, params)
        if doc.meta.doc_id in docs:
            report.skipped[source.name] = f"与 {docs[doc.meta.doc_id].source.name} 的文档编号相同，请改名"
            continue
        docs[doc.meta.doc_id] = doc
    return docs


def classify(report: BuildReport, docs: dict[str, PreparedDoc], keep: set[str], indexed: dict[str, DocEntry]) -> None:
    for doc_id in sorted(docs):
        if doc_id in keep:
            report.unchanged.append(doc_id)
        elif doc_id in indexed:
            report.updated.append(doc_id)
        else:
            report.added.append(doc_id)
    report.removed = sorted(set(indexed) - set(docs))


def write_version(
    store: IndexStore,
    embedder: Embeddings,
    docs: dict[str, PreparedDoc],
    keep: set[str],
    active: tuple | None,
    manifest: Manifest,
    report: BuildReport,
    progress: Progress | None,
) -> None:
    """Fill a new collection version and commit it; drop exactly that collection on any failure."""
    base = active[0].name if active else None
    try:
        collection = store.create_version(manifest.version)
    except Exception as error:
        raise StoreError(f"无法在 Chroma 中创建新的索引版本：{error}") from error
    try:
        segments = kept_segments(store, active, keep, collection)
        changed = [chunk for doc_id in sorted(docs) if doc_id not in keep for chunk in docs[doc_id].chunks]
        # Tokenising is Python and the embedder is C that releases the GIL: they run at once. A
        # failure or Ctrl-C does not wait for the tokeniser, whose result is then not used.
        beside = ThreadPoolExecutor(1, thread_name_prefix="tokenise")
        try:
            lexical = beside.submit(version_lexical, store, active, keep, changed)
            vectors = embed_chunks(embedder, changed, progress)
            write_chunks(collection, changed, vectors, {doc_id: doc.meta for doc_id, doc in docs.items()})
            report.embedded_chunks = len(changed)
            store.write_lexical(collection, lexical.result().to_bytes())
        finally:
            beside.shutdown(wait=False, cancel_futures=True)
        manifest.dimension = len(vectors[0]) if vectors else (active[1].dimension if active else 0)
        manifest.docs = {
            doc_id: DocEntry(doc.meta, doc.source.sha256, doc.chunk_count, segments.get(doc_id, ""))
            for doc_id, doc in docs.items()
        }
        store.commit(collection, manifest, base)
    except BaseException as error:
        store.discard(collection)
        if isinstance(error, YinlingError | KeyboardInterrupt):
            raise
        what = f"{type(error).__name__}: {error}"
        raise StoreError(f"建索引失败，本次改动没有提交（{what}）；{index_state(store, base)}") from error
    store.drop_older(collection, manifest)


def kept_segments(store: IndexStore, active: tuple | None, keep: set[str], collection) -> dict[str, str]:
    """Where each unchanged document's chunks stay: the older version that holds them, unless
    that would make the new version read more than MAX_SEGMENTS older ones; then their chunks
    are copied into `collection` (a page at a time) and the new version reads only itself."""
    if not (active and keep):
        return {}
    held = {doc_id: active[1].docs[doc_id].segment or active[0].name for doc_id in keep}
    if len(set(held.values())) <= MAX_SEGMENTS:
        return held
    for name in sorted(set(held.values())):
        copy_documents(store.client.get_collection(name), collection, [d for d, s in held.items() if s == name])
    return {}


def version_lexical(store: IndexStore, active: tuple | None, keep: set[str], changed: list[Chunk]) -> LexicalIndex:
    """The new version's lexical index: the kept documents' rows as the active version stored
    them, and the changed chunks tokenised now, so a build tokenises only what changed."""
    if not (active and keep):
        return LexicalIndex.build(changed)
    return lexical_index(store, active[0]).updated(keep, changed)


def index_state(store: IndexStore, before: str | None) -> str:
    """What the index is now, said truthfully, given the active version's name before a change."""
    try:
        found = store.active()
    except Exception as error:
        log.warning("could not read the index state", exc_info=True)
        return f"无法确认索引现状（{error}）：运行 `python -m index status` 查看"
    if found is None:
        if before is None:
            return "还没有索引：解决这个问题后重新运行 `python -m index build`"
        return "现在没有可用的索引：运行 `python -m index build` 重建"
    collection, manifest = found
    if collection.name == before:
        return "原有索引未改动"
    return f"索引现在是版本 {manifest.version}（{len(manifest.docs)} 份文档）：运行 `python -m index status` 查看"


def embed_chunks(embedder: Embeddings, chunks: list[Chunk], progress: Progress | None) -> list[list[float]]:
    vectors: list[list[float]] = []
    for start in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[start : start + EMBED_BATCH]
        vectors.extend(embedder.embed_documents([chunk.embed_text for chunk in batch]))
        if progress:
            progress("embed", len(vectors), len(chunks))
    return vectors


def build_fresh(settings: Settings, embedder: Embeddings, data_dir: Path, collection: str) -> Settings:
    """Index the settings' corpus into a new embedded store under `data_dir`; return its settings.

    Evals and benchmarks use this so they measure the current code, not a stale index.
    """
    fresh = dataclasses.replace(settings, data_dir=data_dir, chroma_host="", collection=collection)
    store = IndexStore(connect(fresh), collection)
    with build_lock(data_dir, collection, fresh.lock_timeout_s, f"build_fresh {collection}"):
        build_from_corpus(store, embedder, fresh.corpus_dir, fresh.chunking, exclusive=True)
    return fresh


def build_from_corpus(
    store: IndexStore, embedder: Embeddings, corpus_dir: Path, params: ChunkingParams, **kwargs
) -> BuildReport:
    """Read the corpus directory and build; the entry points' one call."""
    return build_index(store, embedder, list(read_corpus(corpus_dir)), params, **kwargs)
