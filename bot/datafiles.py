"""Readers for the data files in bot/data/: tab-separated pairs and YAML text templates (word lists: zhtext.tokens)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
WORDING_FILE = DATA / "wording.yaml"


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
def read_templates(path: Path) -> dict[str, str]:
    """Named text templates from a YAML file (the wording people read, the LLM prompt)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fill(path: Path, key: str, /, **values: str) -> str:
    """A template filled strictly: a missing placeholder raises KeyError instead of showing a hole."""
    return read_templates(path)[key].format_map(values)


def say(key: str, /, **values: str) -> str:
    """A wording template of bot/data/wording.yaml filled strictly (see `fill`)."""
    return fill(WORDING_FILE, key, **values)
