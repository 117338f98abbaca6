"""Read corpus files (.docx, .pdf, .txt, .md) into plain text. The file-reading edge."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from index.corrections import read_corrections
from index.errors import DocumentError
from index.parsing import SHORT_LINE_MAX_CHARS
from index.records import SourceFile
from zhtext.docnumber import DOC_NUMBER

log = logging.getLogger(__name__)

# The one list of file types Yinling reads: the corpus scan, uploads and the staff page all use it.
SUFFIXES = (".docx", ".pdf", ".txt", ".md")
# Encodings tried in order before asking charset-normalizer: government files are mostly
# UTF-8 or GB18030 (a superset of GBK and GB2312).
ENCODINGS = ("utf-8-sig", "gb18030")


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files under `corpus_dir` that Yinling can read, sorted by name."""
    if not corpus_dir.is_dir():
        raise DocumentError(f"语料目录不存在：{corpus_dir}（请设置 YINLING_CORPUS_DIR）")
    return sorted(
        p for p in corpus_dir.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )


def read_corpus(corpus_dir: Path) -> Iterator[SourceFile | DocumentError]:
    """Yield each readable file, or the error that says why a file was skipped."""
    for path in corpus_files(corpus_dir):
        try:
            yield read_file(path, name=path.relative_to(corpus_dir).as_posix())
        except DocumentError as error:
            yield error


def read_file(path: Path, name: str | None = None) -> SourceFile:
    """Read one file as text.

    Raises:
        DocumentError: the file is of an unknown kind, unreadable, or holds no text.
    """
    name = name or path.name
    suffix = Path(name).suffix.lower()  # by the name: an upload is read from a temporary path
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"{name}: 无法读取（{error.strerror}）") from error
    try:
        text = {".docx": docx_text, ".pdf": pdf_text}.get(suffix, decode_text)(data)
    except DocumentError as error:
        raise DocumentError(f"{name}: {error}") from error
    except Exception as error:  # parsers raise many kinds on a damaged file
        log.debug("parsing %s failed", name, exc_info=True)
        raise DocumentError(f"{name}: 文件已损坏或格式不符（{type(error).__name__}）") from error
    if suffix == ".md":
        text = markdown_text(text)
    if not text.strip():
        raise DocumentError(f"{name}: 文件中没有文字（空文件，或扫描版 PDF 没有文字层）")
    corrections = read_corrections(path, name)
    return SourceFile(name, text, content_hash(text, corrections), corrections)


def content_hash(text: str, corrections: tuple[tuple[str, str], ...] = ()) -> str:
    """The hash a build compares; a file without corrections hashes as its text alone."""
    digest = hashlib.sha256(text.encode())
    if corrections:
        digest.update(json.dumps(corrections, ensure_ascii=False).encode())
    return digest.hexdigest()


def decode_text(data: bytes) -> str:
    """Decode bytes, detecting UTF-8, GBK/GB18030 and what charset-normalizer recognises."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("不是文本文件")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DocumentError("无法识别文字编码")
    return str(best)


def docx_text(data: bytes) -> str:
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    return "\n".join(join_pdf_lines(page) for page in pages)


def join_pdf_lines(page: str, wrap_min_chars: int = 25) -> str:
    """Re-join paragraph lines a PDF wrapped: a long line not ending in 。：！？； continues.

    A heading, a 文号 line and an addressee line (ending in ：) always start a line of their own,
    so a long title is never glued to the 文号 and addressee below it.
    """
    out: list[str] = []
    for line in page.split("\n"):
        previous = out[-1] if out else ""
        wrapped = len(previous) >= wrap_min_chars and not previous.endswith(tuple("。：:！？；"))
        if wrapped and line and not starts_own_line(line):
            out[-1] = previous + line
        else:
            out.append(line)
    return "\n".join(out)


def starts_own_line(line: str) -> bool:
    """A heading (一、 （一）), a 文号 line or a short addressee line ending in ：."""
    stripped = line.strip()
    return bool(
        re.match(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]", stripped)
        or (DOC_NUMBER.search(stripped) and len(stripped) <= SHORT_LINE_MAX_CHARS)
        or (stripped.endswith(("：", ":")) and len(stripped) <= SHORT_LINE_MAX_CHARS)
    )


def markdown_text(text: str) -> str:
    """Strip Markdown heading marks, emphasis and list bullets; keep the words."""
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)
    return re.sub(r"(\*\*|__|\*|`)", "", text)
