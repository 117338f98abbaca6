"""Document management for signed-in staff: list, upload, correct, remove; each change re-indexes incrementally."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.chain import Yinling
from index.building import build_from_corpus
from index.corpus import add_document, corpus_file, remove_document
from index.corrections import Corrections, read_corrections, sidecar_of, update_corrections
from index.errors import DocumentError
from index.loading import SUFFIXES
from index.locking import build_lock, lock_covers_all_writers
from index.records import BuildReport
from yinling.settings import Settings

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
    jurisdiction: str = ""
    corrected: tuple[str, ...] = ()  # the fields staff corrected (index/corrections.py)


class DocumentDesk:
    """Changes the corpus and the index together, one change at a time across all processes.

    It accepts the file types the corpus reader reads (`index.loading.SUFFIXES`), and no other.
    Each change holds the index's build lock (`index.locking`) from writing the corpus file to
    committing the new index version, so it never overlaps a `python -m index build`.
    """

    def __init__(self, bot: Yinling, settings: Settings):
        """
        Args:
            bot: the running service; its index is the one changed.
            settings: the corpus, upload limit and chunking, and the data directory and wait of the build lock.
        """
        self.bot = bot
        self.corpus_dir: Path = settings.corpus_dir
        self.chunking = settings.chunking
        self.max_upload_bytes = settings.upload_max_mb * 2**20
        self.file_types: tuple[str, ...] = SUFFIXES
        self.data_dir = settings.data_dir
        self.lock_timeout_s = settings.lock_timeout_s
        self.exclusive = lock_covers_all_writers(settings.chroma_host)

    def documents(self) -> list[DocumentRow]:
        entries = self.bot.manifest.docs.values()
        return [
            DocumentRow(
                e.meta.source,
                e.meta.title,
                e.meta.number,
                e.meta.issuer,
                e.meta.date,
                e.chunks,
                e.meta.jurisdiction,
                tuple(field for field, _ in self.corrections_of(e.meta.source)),
            )
            for e in sorted(entries, key=lambda e: e.meta.source)
        ]

    def corrections_of(self, source: str) -> Corrections:
        """What staff corrected of a document; none for a file no longer in the corpus or a broken sidecar."""
        try:
            return read_corrections(corpus_file(self.corpus_dir, source), source)
        except DocumentError:
            return ()

    def correct(self, source: str, fields: dict[str, str], progress: Progress | None = None) -> BuildReport:
        """Correct a document's metadata (a sidecar beside it) and re-index that document alone.

        Args:
            source: the document as the index knows it.
            fields: any of title, doc_number, issuer, jurisdiction, date (ISO), laid over the earlier
                corrections; an empty value takes that correction back (the parsed value returns).

        Raises:
            DocumentError: no such document, or a value does not validate; nothing was changed.
            IndexBusyError: another build or change is running; nothing was changed.
        """
        with self._locked(f"文档管理：更正 {source}"):
            path = corpus_file(self.corpus_dir, source)
            sidecar = sidecar_of(path)
            before = sidecar.read_bytes() if sidecar.is_file() else None
            update_corrections(path, fields)
            try:
                report = self._reindex(progress)
            except BaseException:
                log.exception("re-indexing after correcting %s failed; restoring its corrections", source)
                if before is None:
                    sidecar.unlink(missing_ok=True)
                else:
                    sidecar.write_bytes(before)
                raise
            self.bot.refresh()
            return report

    def upload(self, name: str, data: bytes, progress: Progress | None = None) -> BuildReport:
        """Add a file to the corpus and index it; on any failure the file is taken out again.

        Raises:
            DocumentError: the file was refused (kind, size, no text, name taken).
            IndexBusyError: another build or change is running; nothing was changed.
            YinlingError: indexing failed; the message says what the index is now.
        """
        with self._locked(f"文档管理：上传 {name}"):
            path, _ = add_document(self.corpus_dir, name, data, self.max_upload_bytes)
            try:
                report = self._reindex(progress)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            self.bot.refresh()  # after the rollback: once committed, the file belongs to the index
            if path.name in report.skipped:
                path.unlink(missing_ok=True)
                raise DocumentError(f"{path.name}: {report.skipped[path.name]}")
            return report

    def remove(self, source: str, progress: Progress | None = None) -> BuildReport:
        """Take a file out of the corpus and the index.

        Raises:
            DocumentError: no such file.
            IndexBusyError: another build or change is running; nothing was changed.
        """
        with self._locked(f"文档管理：删除 {source}"):
            path, data = remove_document(self.corpus_dir, source)
            try:
                report = self._reindex(progress)
            except BaseException:
                log.exception("re-indexing after removing %s failed; restoring the file", source)
                path.write_bytes(data)
                raise
            sidecar_of(path).unlink(missing_ok=True)  # its corrections go with it
            self.bot.refresh()
            return report

    def _locked(self, command: str):
        return build_lock(self.data_dir, self.bot.store.name, self.lock_timeout_s, command)

    def _reindex(self, progress: Progress | None) -> BuildReport:
        bot = self.bot
        return build_from_corpus(
            bot.store, bot.embedder, self.corpus_dir, self.chunking, progress=progress, exclusive=self.exclusive
        )
