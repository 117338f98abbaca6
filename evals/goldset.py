"""The gold question set: one JSON object a line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from yinling.errors import YinlingError


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answerable: bool
    evidence: tuple[str, ...]  # substrings a correct retrieved or cited chunk contains
    facts: tuple[str, ...]  # strings a correct answer contains
    kind: str
    history: tuple[str, ...] = ()


def set_corpus(path: Path) -> tuple[str, ...]:
    """The corpus folders a set is asked over (relative to the repository), from a first line
    `{"corpus": ["corpus", "tests/fixtures/replies"]}`; empty: the configured corpus."""
    first = path.read_text(encoding="utf-8").lstrip().partition("\n")[0] if path.is_file() else ""
    try:
        header = json.loads(first) if first else {}
    except json.JSONDecodeError:
        return ()
    return tuple(header.get("corpus", ())) if isinstance(header, dict) and "id" not in header else ()


def load_gold(path: Path) -> list[GoldItem]:
    """Read and check a gold set.

    Raises:
        YinlingError: the file is missing, a line is not valid JSON, or a field is missing.
    """
    if not path.is_file():
        raise YinlingError(f"找不到问题集 {path}")
    items, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if number == 1 and "corpus" in raw and "id" not in raw:
                continue  # the set's header: which corpus it is asked over
            item = GoldItem(
                id=str(raw["id"]),
                question=raw["question"],
                answerable=bool(raw["answerable"]),
                evidence=tuple(raw.get("evidence", [])),
                facts=tuple(raw.get("facts", [])),
                kind=raw.get("kind", "other"),
                history=tuple(raw.get("history", [])),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise YinlingError(f"{path}:{number}: 格式不对（{type(error).__name__}: {error}）") from error
        if item.id in seen:
            raise YinlingError(f"{path}:{number}: id {item.id} 重复")
        if item.answerable and not item.evidence:
            raise YinlingError(f"{path}:{number}: 可回答的问题 {item.id} 需要 evidence")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise YinlingError(f"问题集 {path} 是空的")
    return items
