"""Readers for the data files in bot/data/: tab-separated pairs and word lists, `#` comments."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """`left<TAB>right` lines; blank lines and lines starting with # are skipped."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            left, tab, right = line.partition("\t")
            if not tab or not left or not right:
                raise ValueError(f"{path}:{number}: expected two fields separated by a tab")
            pairs.append((left, right))
    return pairs


@cache
def read_words(path: Path) -> frozenset[str]:
    """Whitespace-separated words; lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())
