"""Chroma, the system of record: chunks, vectors and the manifest that describes them.

Each build writes a new collection version `<name>--v<N>-<random hex>` and commits it by
flagging it in its metadata; readers always open the newest committed version. A version holds
the chunks of the documents its build embedded; the manifest names, for every other document,
the older version that holds its chunks (a segment), so adding one reply to a large index writes
that reply, not a copy of every unchanged chunk. An older version a newer one still reads is
kept, flagged as retained, and is no longer a version of its own; past MAX_SEGMENTS a build
copies everything into its own version again. A build that
fails before its commit leaves the previous version untouched and usable, in both embedded and
server mode, with no file outside Chroma.

Writers are serialised by the build lock (`index.locking`). Without it the store still loses
nothing committed: a version's name is never reused, a failed build drops only the collection
it created, a commit refuses to replace a version other than the one its build started from,
and it drops only versions older than itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import secrets
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from index.errors import IndexBusyError, IndexMismatchError, IndexMissingError, StoreError
from index.records import Chunk, DocMeta
from yinling.settings import Settings

if TYPE_CHECKING:
    from index.lexical import LexicalIndex

log = logging.getLogger(__name__)

MANIFEST_KEY = "yinling_manifest"
# The manifest is kept compressed: Chroma reads a collection's whole metadata on every query of
# it (~4 ms per MB), and the JSON manifest of 3,000 documents is 1.4 MB (0.24 MB compressed).
# A manifest stored as plain JSON, as earlier builds wrote it, is read as well.
COMPRESSED_MANIFEST = "zlib+base64:"
COMMITTED_KEY = "yinling_committed"
RETAINED_KEY = "yinling_retained"  # an older version kept because a newer one reads its chunks
MAX_SEGMENTS = 4  # older versions a version may read; a build past it copies their chunks in
VERSION_SEPARATOR = "--v"
WRITE_BATCH = 512
# Rows per read: one Chroma call binds a few SQL variables per row, and SQLite allows 32,766.
READ_PAGE = 5000
# Each version's lexical index (`index.lexical.LexicalIndex`) lives in a collection of its own
# named after it, written before the version is committed, so every reader of a committed
# version finds it complete, in embedded and server mode alike.
LEXICAL_SUFFIX = ".lexical"
LEXICAL_PART = 4 * 1024 * 1024  # characters of base64 per record
REBUILD_HINT = "运行 `python -m index build --rebuild` 用当前设置重建索引"


@dataclass
class DocEntry:
    """What the index remembers of one document."""

    meta: DocMeta
    sha256: str
    chunks: int
    segment: str = ""  # the older version whose collection holds its chunks; "": this version's own


@dataclass
class Manifest:
    """The index's description of itself: embedder, chunking, and each document's hash."""

    embedder: str
    dimension: int
    chunking: dict[str, int]
    parser_version: int
    version: int = 0
    docs: dict[str, DocEntry] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Manifest:
        data = json.loads(raw)
        docs = {
            doc_id: DocEntry(
                meta=DocMeta(**entry["meta"]),
                sha256=entry["sha256"],
                chunks=entry["chunks"],
                segment=entry.get("segment", ""),
            )
            for doc_id, entry in data.pop("docs").items()
        }
        return cls(**data, docs=docs)

    def to_stored(self) -> str:
        """The manifest as its version's metadata keeps it: compressed JSON."""
        packed = base64.b64encode(zlib.compress(self.to_json().encode("utf-8"))).decode("ascii")
        return COMPRESSED_MANIFEST + packed

    @classmethod
    def from_stored(cls, raw: str) -> Manifest:
        """A manifest from a version's metadata: compressed, or plain JSON (earlier builds)."""
        if raw.startswith(COMPRESSED_MANIFEST):
            raw = zlib.decompress(base64.b64decode(raw.removeprefix(COMPRESSED_MANIFEST))).decode("utf-8")
        return cls.from_json(raw)

    def segments(self) -> dict[str, set[str]]:
        """The older versions this one reads, each with the documents it reads from it."""
        found: dict[str, set[str]] = {}
        for doc_id, entry in self.docs.items():
            if entry.segment:
                found.setdefault(entry.segment, set()).add(doc_id)
        return found


def connect(settings: Settings) -> ClientAPI:
    """An embedded persistent client, or an HTTP client when CHROMA_HOST is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as error:
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else settings.chroma_dir
        raise StoreError(
            f"无法连接向量库 Chroma（{where}）：{error}。检查 CHROMA_HOST/CHROMA_PORT 或数据目录权限"
        ) from error


class IndexStore:
    """Versioned chunk collections in one Chroma client."""

    def __init__(self, client: ClientAPI, name: str) -> None:
        self.client = client
        self.name = name
        # `<name>--v<N>-<hex>`; indexes built before names were unique are `<name>--v<N>`.
        self._version_name = re.compile(rf"{re.escape(name)}{VERSION_SEPARATOR}(\d+)(-[0-9a-f]+)?")

    def versions(self, *, retained: bool = False) -> list[tuple[int, Collection]]:
        """This index's versions, newest first, committed or not; with `retained`, also the older
        ones kept only because a newer version reads their chunks."""
        found = []
        for collection in self.client.list_collections():
            matched = self._version_name.fullmatch(collection.name)
            if matched and (retained or not (collection.metadata or {}).get(RETAINED_KEY)):
                found.append((int(matched[1]), collection))
        return sorted(found, key=lambda pair: (pair[0], pair[1].name), reverse=True)

    def active(self) -> tuple[Collection, Manifest] | None:
        """The newest committed version and its manifest, or None before the first build."""
        collection = self.active_collection()
        return (collection, Manifest.from_stored((collection.metadata or {})[MANIFEST_KEY])) if collection else None

    def active_collection(self) -> Collection | None:
        """The newest committed version, its manifest not parsed (40 ms for 3,000 documents)."""
        for _, collection in self.versions():
            if (collection.metadata or {}).get(COMMITTED_KEY):
                return collection
        return None

    def open_active(self, embedder_id: str) -> tuple[Collection, Manifest]:
        """The active version, checked against the embedder that will query it.

        Raises:
            IndexMissingError: nothing has been built.
            IndexMismatchError: the index was built with another embedder.
        """
        found = self.active()
        if found is None:
            raise IndexMissingError(f"还没有索引（集合 {self.name}）：运行 `python -m index build` 建立索引")
        collection, manifest = found
        require_compatible(manifest, embedder_id)
        return collection, manifest

    def stored_chunks(self, name: str) -> int:
        """How many chunks version `name` holds itself, from its manifest (Chroma's count() reads
        every row: 0.7 s at 100k chunks)."""
        metadata = self.client.get_collection(name).metadata or {}
        docs = Manifest.from_stored(metadata[MANIFEST_KEY]).docs.values()
        return sum(entry.chunks for entry in docs if not entry.segment)

    def create_version(self, version: int) -> Collection:
        """A new, uncommitted collection for a build to fill, under a name no other build uses."""
        return self.client.create_collection(
            f"{self.name}{VERSION_SEPARATOR}{version}-{secrets.token_hex(4)}",
            configuration={"hnsw": {"space": "cosine"}},
            metadata={COMMITTED_KEY: False},
        )

    def commit(self, collection: Collection, manifest: Manifest, base: str | None) -> None:
        """Make `collection` the active version, unless another build committed since this one started.

        Args:
            collection: the filled, uncommitted version.
            manifest: its description.
            base: the name of the version that was active when the build started (None before the first).

        Raises:
            IndexBusyError: another version than `base` is active; `collection` stays uncommitted.
        """
        found = self.active()
        if found is not None and found[0].name != base:  # with no version left at all, any is better
            raise IndexBusyError(
                f"另一个建索引任务在本次建索引期间提交了索引版本 {found[1].version}，本次改动没有提交："
                "请重新运行本次操作，它会在新版本上增量更新"
            )
        collection.modify(metadata={COMMITTED_KEY: True, MANIFEST_KEY: manifest.to_stored()})

    def drop_older(self, collection: Collection, manifest: Manifest) -> None:
        """Drop the committed versions older than `collection`, which has just been committed with
        `manifest`; those it reads chunks from are kept as retained segments."""
        newest = self.version_of(collection)
        reads = manifest.segments()
        for version, other in self.versions(retained=True):
            metadata = other.metadata or {}
            if version >= newest or not metadata.get(COMMITTED_KEY):
                continue
            if other.name not in reads:
                self.drop(other.name)
                log.debug("dropped index version %s", other.name)
            elif not metadata.get(RETAINED_KEY):
                # Its manifest stored again, compressed if an earlier build wrote it as plain JSON.
                manifest_text = Manifest.from_stored(metadata[MANIFEST_KEY]).to_stored()
                other.modify(metadata={**metadata, MANIFEST_KEY: manifest_text, RETAINED_KEY: True})
                self.drop_lexical(other.name)

    def drop_uncommitted(self, *, exclusive: bool = False) -> None:
        """Remove the versions that interrupted builds left behind.

        Args:
            exclusive: the caller holds the build lock, so no other build is running and every
                uncommitted version is a leftover. Without it only versions numbered at or below
                the active one are dropped: they were started from an older index and can no longer
                commit, while a newer one may be another build's work in progress.
        """
        found = self.active()
        newest = self.version_of(found[0]) if found else 0
        for version, collection in self.versions():
            if not (collection.metadata or {}).get(COMMITTED_KEY) and (exclusive or version <= newest):
                self.drop(collection.name)

    def discard(self, collection: Collection) -> None:
        """Drop exactly `collection` (a failed build's own version), never another under its name."""
        try:
            current = self.client.get_collection(collection.name)
        except NotFoundError:
            return
        except Exception:  # best effort, as in `drop`
            log.warning("could not look up collection %s to drop it", collection.name, exc_info=True)
            return
        if current.id == collection.id:
            self.drop(collection.name)

    def drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:  # best effort: a leftover is dropped by the next build
            log.warning("could not drop collection %s", name, exc_info=True)
        self.drop_lexical(name)

    def drop_lexical(self, name: str) -> None:
        try:
            self.client.delete_collection(name + LEXICAL_SUFFIX)
        except NotFoundError:  # built before lexical indexes were stored, or its build failed first
            pass
        except Exception:
            log.warning("could not drop collection %s", name + LEXICAL_SUFFIX, exc_info=True)

    def write_lexical(self, collection: Collection, data: bytes) -> None:
        """Store a version's lexical index beside it; call before `commit`."""
        text = base64.b64encode(data).decode("ascii")
        parts = [text[start : start + LEXICAL_PART] for start in range(0, len(text), LEXICAL_PART)] or [""]
        side = self.client.create_collection(
            collection.name + LEXICAL_SUFFIX, metadata={"sha256": hashlib.sha256(data).hexdigest(), "parts": len(parts)}
        )
        for number, part in enumerate(parts):
            side.add(ids=[part_id(number)], embeddings=[[1.0]], metadatas=[{"data": part}])

    def read_lexical(self, collection: Collection) -> bytes | None:
        """A version's stored lexical index, or None when it has none (built by an older Yinling)."""
        try:
            side = self.client.get_collection(collection.name + LEXICAL_SUFFIX)
        except NotFoundError:
            return None
        expected = side.metadata or {}
        parts = []
        for number in range(int(expected.get("parts", 0))):
            found = side.get(ids=[part_id(number)], include=["metadatas"])
            parts.extend(metadata["data"] for metadata in found["metadatas"])
        data = base64.b64decode("".join(parts))
        if hashlib.sha256(data).hexdigest() != expected.get("sha256"):
            log.warning("the lexical index of %s is incomplete; it will be derived from the chunks", collection.name)
            return None
        return data

    def version_of(self, collection: Collection) -> int:
        matched = self._version_name.fullmatch(collection.name)
        return int(matched[1]) if matched else 0


def part_id(number: int) -> str:
    return f"part-{number:05d}"


def write_chunks(
    collection: Collection, chunks: list[Chunk], vectors: list[list[float]], metas: dict[str, DocMeta]
) -> None:
    """Store chunks with their vectors and the metadata of their documents."""
    for start in range(0, len(chunks), WRITE_BATCH):
        batch = chunks[start : start + WRITE_BATCH]
        collection.add(
            ids=[chunk.chunk_id for chunk in batch],
            embeddings=vectors[start : start + WRITE_BATCH],
            documents=[chunk.text for chunk in batch],
            metadatas=[chunk_metadata(chunk, metas[chunk.doc_id]) for chunk in batch],
        )


def copy_documents(source: Collection, target: Collection, doc_ids: Iterable[str]) -> int:
    """Copy the stored chunks and vectors of unchanged documents a page at a time; nothing is re-embedded."""
    wanted, copied, offset = set(doc_ids), 0, 0
    while True:
        page = source.get(include=["embeddings", "documents", "metadatas"], limit=READ_PAGE, offset=offset)
        offset += len(page["ids"])
        rows = [i for i, metadata in enumerate(page["metadatas"]) if metadata["doc_id"] in wanted]
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start : start + WRITE_BATCH]
            target.add(
                ids=[page["ids"][i] for i in batch],
                embeddings=[page["embeddings"][i] for i in batch],
                documents=[page["documents"][i] for i in batch],
                metadatas=[page["metadatas"][i] for i in batch],
            )
        copied += len(rows)
        if len(page["ids"]) < READ_PAGE:
            return copied


def read_chunks(collection: Collection) -> list[Chunk]:
    """Every chunk of a version, also those it reads from older versions, in document and reading order.

    Raises:
        NotFoundError: the version (or a segment it reads) was dropped while being read. A
            collection being deleted can read as empty for a moment instead of raising, so a read
            that does not find the chunk count its manifest states is reported the same way.
    """
    chunks = read_collection(collection)
    metadata = collection.metadata or {}
    if MANIFEST_KEY in metadata:
        manifest = Manifest.from_stored(metadata[MANIFEST_KEY])
        for name, docs in manifest.segments().items():
            segment = collection_beside(collection, name)
            chunks.extend(chunk for chunk in read_collection(segment) if chunk.doc_id in docs)
        expected = sum(entry.chunks for entry in manifest.docs.values())
        if len(chunks) != expected:
            raise NotFoundError(f"index version {collection.name} changed while being read: {len(chunks)}/{expected}")
    return sorted(chunks, key=lambda chunk: (chunk.doc_id, chunk.ordinal))


def collection_beside(collection: Collection, name: str) -> Collection:
    """Another collection of the client `collection` was read through (Chroma's own constructor)."""
    client = collection._client
    model = client.get_collection(name=name, tenant=collection.tenant, database=collection.database)
    return Collection(client=client, model=model, embedding_function=None)


def read_collection(collection: Collection) -> list[Chunk]:
    """Every chunk stored in one collection, read a page at a time."""
    chunks: list[Chunk] = []
    while True:
        found = collection.get(include=["documents", "metadatas"], limit=READ_PAGE, offset=len(chunks))
        chunks.extend(
            chunk_from_record(text, metadata)
            for text, metadata in zip(found["documents"], found["metadatas"], strict=True)
        )
        if len(found["ids"]) < READ_PAGE:
            return chunks


def lexical_index(store: IndexStore, collection: Collection) -> LexicalIndex:
    """A version's lexical index as stored with it, or derived from its chunks when it has none."""
    from index.lexical import LexicalIndex

    stored = store.read_lexical(collection)
    if stored is not None:
        return LexicalIndex.from_bytes(stored)
    log.warning("index version %s has no stored lexical index; tokenising its chunks", collection.name)
    return LexicalIndex.build(read_chunks(collection))


def chunk_metadata(chunk: Chunk, meta: DocMeta) -> dict[str, Any]:
    """The flat metadata Chroma stores beside a chunk (also what LangChain Documents carry)."""
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "ordinal": chunk.ordinal,
        "section": chunk.section,
        "status": chunk.status,
        "kind": chunk.kind,
        "doc_title": meta.title,
        "doc_number": meta.number,
        "issuer": meta.issuer,
        "date": meta.date,
        "source": meta.source,
        "addressee": meta.addressee,
        "subject": meta.subject,
        "jurisdiction": meta.jurisdiction,  # where the reply applies, for filtering by place
        "contact": meta.contact,
        "origins": meta.origins,
    }


def chunk_from_record(text: str, metadata: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=metadata["chunk_id"],
        doc_id=metadata["doc_id"],
        ordinal=int(metadata["ordinal"]),
        text=text,
        section=metadata["section"],
        status=metadata["status"],
        kind=metadata["kind"],
    )


def doc_meta_from_record(metadata: dict[str, Any]) -> DocMeta:
    return DocMeta(
        doc_id=metadata["doc_id"],
        title=metadata["doc_title"],
        number=metadata["doc_number"],
        issuer=metadata["issuer"],
        date=metadata["date"],
        source=metadata["source"],
        addressee=metadata.get("addressee", ""),
        subject=metadata.get("subject", ""),
        jurisdiction=metadata.get("jurisdiction", ""),
        contact=metadata.get("contact", ""),
        origins=metadata.get("origins", ""),
    )


def require_compatible(manifest: Manifest, embedder_id: str) -> None:
    if manifest.embedder != embedder_id:
        raise IndexMismatchError(
            f"索引是用嵌入模型 {manifest.embedder} 建立的，当前是 {embedder_id}，向量不能混用：{REBUILD_HINT}，"
            "或把 EMBED_MODEL 改回原来的模型"
        )
