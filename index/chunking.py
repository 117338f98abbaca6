"""Cut a parsed document into retrieval chunks. Pure functions of the parsed document.

Chunks never span sections and never cut a sentence (an over-long sentence is cut at a
semicolon or comma, never inside a number). Each chunk carries its breadcrumb and status.
"""

from __future__ import annotations

import hashlib

from index.records import GENERAL, META, Chunk, DocMeta, ParsedDocument, Section
from yinling.settings import ChunkingParams
from zhtext.dates import format_date_zh
from zhtext.sentences import pack, split_long, split_sentences

META_SECTION = "文件信息"


def chunk_document(doc: ParsedDocument, params: ChunkingParams) -> list[Chunk]:
    """All chunks of a document: its metadata chunk first, then body chunks in order."""
    pieces: list[tuple[Section, str]] = []
    for section in fold_lead_sections(doc.sections, params.min_chars):
        pieces.extend((section, text) for text in chunk_section(section, params))
    chunks = [meta_chunk(doc.meta)] if describe_meta(doc.meta) else []
    for section, text in pieces:
        chunks.append(make_chunk(doc.meta.doc_id, len(chunks), text, section.breadcrumb, section.status))
    return chunks


def chunk_section(section: Section, params: ChunkingParams) -> list[str]:
    """Pack a section's sentences into chunks of at most `max_chars` characters."""
    sentences = [
        part
        for paragraph in section.paragraphs
        for sentence in split_sentences(paragraph)
        for part in split_long(sentence, params.max_chars)
    ]
    chunks = pack(sentences, params.max_chars)
    if len(chunks) > 1 and len(chunks[-1]) < params.min_chars:
        tail = chunks.pop()
        chunks[-1] += tail
    return chunks


def fold_lead_sections(sections: tuple[Section, ...], min_chars: int) -> list[Section]:
    """Fold a tiny section (a heading alone, like `（十）积极推进婚俗改革。`) into its first child
    of the same status (a done part's short lead never becomes part of its 下一步 paragraph)."""
    folded: list[Section] = []
    pending: Section | None = None
    for section in sections:
        if pending and section.path[: len(pending.path)] == pending.path and section.status == pending.status:
            first = pending.paragraphs[-1] + section.paragraphs[0]
            section = Section(section.path, section.status, (*pending.paragraphs[:-1], first, *section.paragraphs[1:]))
        elif pending:
            folded.append(pending)
        pending = None
        if sum(map(len, section.paragraphs)) < min_chars:
            pending = section
        else:
            folded.append(section)
    if pending:
        folded.append(pending)
    return folded


def describe_meta(meta: DocMeta) -> str:
    """The document's metadata as text, so "这份答复的文号是多少？" finds it."""
    fields = [
        ("标题", meta.title),
        ("文号", meta.number),
        ("发文单位", meta.issuer),
        ("适用地区", meta.jurisdiction),
        ("成文日期", format_date_zh(meta.date)),
        ("主送单位", meta.addressee),
        ("答复事项", meta.subject),
    ]
    return "\n".join(f"{name}：{value}" for name, value in fields if value)


def meta_chunk(meta: DocMeta) -> Chunk:
    return make_chunk(meta.doc_id, 0, describe_meta(meta), META_SECTION, GENERAL, kind=META)


def make_chunk(doc_id: str, ordinal: int, text: str, section: str, status: str, kind: str = "body") -> Chunk:
    digest = hashlib.sha1(f"{section}\n{text}".encode()).hexdigest()[:8]
    return Chunk(f"{doc_id}-{ordinal:04d}-{digest}", doc_id, ordinal, text, section, status, kind)
