"""Add and remove corpus files: the only code besides loading that touches the corpus folder."""

from __future__ import annotations

import re
from pathlib import Path

from index.errors import DocumentError
from index.loading import SUFFIXES, read_file
from index.records import SourceFile

SAFE_NAME = re.compile(r"[^\w\-.\u3400-\u9fff]+")


def safe_file_name(name: str) -> str:
    """A file name without folders or characters a file system or URL dislikes."""
    stem, dot, suffix = Path(name).name.rpartition(".")
    cleaned = SAFE_NAME.sub("-", stem).strip("-.") or "document"
    return f"{cleaned}{dot}{suffix.lower()}"


def add_document(corpus_dir: Path, name: str, data: bytes, max_bytes: int) -> tuple[Path, SourceFile]:
    """Check an uploaded file and write it into the corpus.

    Raises:
        DocumentError: wrong kind, too large, unreadable or empty, or the name is taken.
    """
    name = safe_file_name(name)
    if Path(name).suffix not in SUFFIXES:
        raise DocumentError(f"{name}: 只支持 {'、'.join(SUFFIXES)} 文件")
    if len(data) > max_bytes:
        raise DocumentError(f"{name}: 文件太大（{len(data) / 2**20:.1f} MB），上限 {max_bytes / 2**20:.0f} MB")
    target = corpus_dir / name
    if target.exists():
        raise DocumentError(f"{name}: 已有同名文件，请先删除旧文件或改名")
    partial = corpus_dir / f".{name}.part"
    partial.write_bytes(data)
    try:
        source = read_file(partial, name=name)
    except DocumentError:
        partial.unlink()
        raise
    partial.rename(target)
    return target, source


def corpus_file(corpus_dir: Path, source_name: str) -> Path:
    """The corpus file the index knows as `source_name`; never a path outside the corpus folder.

    Raises:
        DocumentError: no such file inside the corpus folder.
    """
    target = (corpus_dir / source_name).resolve()
    if corpus_dir.resolve() not in target.parents or not target.is_file():
        raise DocumentError(f"{source_name}: 语料中没有这个文件")
    return target


def remove_document(corpus_dir: Path, source_name: str) -> tuple[Path, bytes]:
    """Delete a corpus file by the name the index knows it by; return its path and content.

    Raises:
        DocumentError: no such file inside the corpus folder.
    """
    target = corpus_file(corpus_dir, source_name)
    data = target.read_bytes()
    target.unlink()
    return target, data
