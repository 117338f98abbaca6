"""Document management for signed-in staff: list, upload, remove; each change re-indexes incrementally."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.chain import Yinling
from index.building import build_from_corpus
from index.corpus import add_document, remove_document
from index.errors import DocumentError
from index.records import BuildReport, ChunkingParams

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DocumentRow:
    source: str
    title: str
    number: str
    issuer: str
    date: str
    chunks: int


class DocumentDesk:
    """Changes the corpus and the index together, one change at a time."""

    def __init__(self, bot: Yinling, corpus_dir: Path, chunking: ChunkingParams, max_upload_bytes: int):
        self.bot = bot
        self.corpus_dir = corpus_dir
        self.chunking = chunking
        self.max_upload_bytes = max_upload_bytes
        self._lock = threading.Lock()

    def documents(self) -> list[DocumentRow]:
        entries = self.bot.manifest.docs.values()
        return [
            DocumentRow(e.meta.source, e.meta.title, e.meta.number, e.meta.issuer, e.meta.date, e.chunks)
            for e in sorted(entries, key=lambda e: e.meta.source)
        ]

    def upload(self, name: str, data: bytes, progress: Progress | None = None) -> BuildReport:
        """Add a file to the corpus and index it; on any failure the file is taken out again.

        Raises:
            DocumentError: the file was refused (kind, size, no text, name taken).
            YinlingError: indexing failed; the previous index is still in use.
        """
        with self._lock:
            path, _ = add_document(self.corpus_dir, name, data, self.max_upload_bytes)
            try:
                report = self._reindex(progress)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            if path.name in report.skipped:
                path.unlink(missing_ok=True)
                raise DocumentError(f"{path.name}: {report.skipped[path.name]}")
            return report

    def remove(self, source: str, progress: Progress | None = None) -> BuildReport:
        """Take a file out of the corpus and the index.

        Raises:
            DocumentError: no such file.
        """
        with self._lock:
            path, data = remove_document(self.corpus_dir, source)
            try:
                return self._reindex(progress)
            except BaseException:
                log.exception("re-indexing after removing %s failed; restoring the file", source)
                path.write_bytes(data)
                raise

    def _reindex(self, progress: Progress | None) -> BuildReport:
        report = build_from_corpus(self.bot.store, self.bot.embedder, self.corpus_dir, self.chunking, progress=progress)
        self.bot.refresh()
        return report
