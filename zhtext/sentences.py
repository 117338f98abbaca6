"""Chinese sentence splitting that never cuts a number. Pure functions of text."""

from __future__ import annotations

import re

# A sentence ends at 。！？ (and their closing quotes), or at an ASCII full stop used as one
# ("增长23.5%.主要…"), which is never between two digits.
SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|(?<![0-9A-Za-z])\.(?![0-9])|(?<=[%％])\.(?!\d)")
# Where an over-long sentence may be cut: after a semicolon first, then after a comma.
CLAUSE_ENDS = ("；;", "，,、")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, keeping each sentence's own punctuation."""
    sentences, start = [], 0
    for match in SENTENCE_END.finditer(text):
        piece = text[start : match.end()].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_long(sentence: str, max_chars: int) -> list[str]:
    """Cut a sentence longer than `max_chars` at clause punctuation, never inside a number."""
    if len(sentence) <= max_chars:
        return [sentence]
    for ends in CLAUSE_ENDS:
        pieces = split_after(sentence, ends)
        if len(pieces) > 1:
            return [part for piece in pack(pieces, max_chars) for part in split_long(piece, max_chars)]
    return [sentence]  # no safe place to cut: an oversized piece beats a cut number


def split_after(text: str, chars: str) -> list[str]:
    pieces = re.split(f"(?<=[{re.escape(chars)}])(?![0-9])", text)
    return [piece for piece in pieces if piece]


def pack(pieces: list[str], max_chars: int) -> list[str]:
    """Join consecutive pieces greedily while they fit in `max_chars`."""
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + len(piece) <= max_chars:
            packed[-1] += piece
        else:
            packed.append(piece)
    return packed
