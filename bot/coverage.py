"""Decide whether the retrieved chunks cover a question, or whether to refuse it.

A question is covered when one of the best chunks contains most of its content words
(after colloquial words are mapped to official ones) and every place it names. Place
names and known out-of-scope topics (pensions, medical insurance, fees…) that no chunk
mentions are refused with a pointer to the office that does answer them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.question import TermMap
from bot.records import Hit
from index.lexical import STOPWORDS, TOKEN, tag

REFERRALS_FILE = Path(__file__).parent / "data" / "referrals.tsv"
INJECTION = re.compile(
    r"忽略|无视|忘记|忘掉|扮演|假装|你现在是|系统提示|提示词|越狱|ignore|disregard|pretend|system prompt|jailbreak",
    re.IGNORECASE,
)
CONTENT_FLAGS = ("n", "v", "a", "t", "s", "j", "l", "i", "eng")
PLACE_FLAGS = ("ns", "nt")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class CoverageParams:
    min_coverage: float = 0.5  # share of content terms one chunk must contain
    min_dense: float = 0.80  # cosine floor when the question has no Chinese content words
    chunks_checked: int = 3
    enabled: bool = True  # off only to measure what refusal is worth


@dataclass(frozen=True)
class Verdict:
    covered: bool
    coverage: float
    reason: str = ""
    referral: str = ""


@dataclass(frozen=True)
class Term:
    """A content word of the question, or a group of official words any one of which counts."""

    alternatives: tuple[str, ...]
    is_place: bool = False

    def found_in(self, text: str) -> bool:
        return any(word in text for word in self.alternatives)


@cache
def referrals(path: Path = REFERRALS_FILE) -> dict[str, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            topic, referral = line.split("\t")
            table[topic] = referral
    return table


def question_terms(question: str, terms: TermMap) -> list[Term]:
    """Content words of a question; a colloquial phrase counts as its group of official terms."""
    text = question.lower()
    found: list[Term] = []
    for colloquial, officials in terms.pairs:
        if colloquial in text:
            found.append(Term((colloquial, *officials)))
            text = text.replace(colloquial, " ")
    for word, flag in tag(text):
        if not TOKEN.fullmatch(word) or word in STOPWORDS or word.isdigit() or not CJK.search(word):
            continue
        if flag.startswith(CONTENT_FLAGS) or flag in PLACE_FLAGS or word in referrals():
            found.append(Term((word,), is_place=flag in PLACE_FLAGS))
    return found


def judge(question: str, hits: list[Hit], terms: TermMap, params: CoverageParams) -> Verdict:
    """Whether the hits cover the question, and if not, why and where to ask instead."""
    if not params.enabled:
        return Verdict(bool(hits), 1.0, reason="" if hits else "no hits")
    if INJECTION.search(question):
        return Verdict(False, 0.0, reason="injection")
    if not hits:
        return Verdict(False, 0.0, reason="no hits")
    wanted = question_terms(question, terms)
    texts = [f"{hit.chunk.section}\n{hit.chunk.text}\n{hit.meta.title}{hit.meta.issuer}" for hit in hits]
    texts = texts[: params.chunks_checked]
    if not wanted:
        best_dense = max(hit.dense for hit in hits)
        return Verdict(
            best_dense >= params.min_dense,
            best_dense,
            reason="" if best_dense >= params.min_dense else "low similarity",
        )
    coverage, best_text = max((share_found(wanted, text), text) for text in texts)
    for term in wanted:
        if term.found_in(best_text):
            continue
        referral = next((referrals()[w] for w in term.alternatives if w in referrals()), "")
        if term.is_place or referral:
            return Verdict(False, coverage, reason=f"not covered: {term.alternatives[0]}", referral=referral)
    if coverage < params.min_coverage:
        return Verdict(False, coverage, reason=f"coverage {coverage:.2f}")
    return Verdict(True, coverage)


def share_found(wanted: list[Term], text: str) -> float:
    return sum(term.found_in(text) for term in wanted) / len(wanted)
