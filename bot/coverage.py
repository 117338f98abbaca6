"""Decide whether the retrieved chunks cover a question, or whether to refuse it.

The question's content words (colloquial ones mapped to official terms) are split into
those the corpus knows and those it does not. A question is covered when enough of its
words are known to the corpus and one of the best chunks holds most of the known ones.
A place the corpus never names (北京) always means refusal; a known out-of-scope topic
(养老金, 医保, 收费 …) means refusal with a pointer to the office that answers it,
unless a chunk plainly covers the rest of the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.datafiles import DATA, read_pairs, read_words
from bot.question import TermMap
from bot.records import Hit
from index.lexical import STOPWORDS, TOKEN, tag

REFERRALS_FILE = DATA / "referrals.tsv"
PLACES_FILE = DATA / "places.txt"
GENERIC_FILE = DATA / "generic_words.txt"
INJECTION = re.compile(
    r"忽略|无视|忘记|忘掉|扮演|假装|你现在是|系统提示|提示词|越狱|ignore|disregard|pretend|system prompt|jailbreak",
    re.IGNORECASE,
)
CONTENT_FLAGS = ("n", "v", "a", "t", "s", "j", "l", "i")
# A word jieba tags as a place counts as one only with an administrative suffix; jieba tags
# many common words (城市, 东西) as places.
PLACE_SUFFIX = re.compile(r"..+(省|市|县|区|州|盟|旗|镇|乡)$")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class CoverageParams:
    min_known_share: float = 0.4  # share of the question's words the corpus must know
    min_coverage: float = 0.5  # share of the known words one retrieved chunk must hold
    referral_override: float = 0.75  # a chunk holding this share of all words outweighs a referral topic
    min_dense: float = 0.80  # cosine floor for a question with no Chinese content words
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


def places() -> frozenset[str]:
    return read_words(PLACES_FILE)


def is_place(word: str, flag: str) -> bool:
    return word in places() or (flag == "ns" and bool(PLACE_SUFFIX.fullmatch(word)))


@cache
def referrals(path: Path = REFERRALS_FILE) -> dict[str, str]:
    """Out-of-scope topic → where to ask instead."""
    return dict(read_pairs(path))


def question_terms(question: str, terms: TermMap) -> list[Term]:
    """Content words of a question; a colloquial phrase counts as its group of official terms."""
    text = question.lower()
    found: dict[tuple[str, ...], Term] = {}
    for colloquial, officials in terms.pairs:
        if colloquial in text:
            found.setdefault((colloquial, *officials), Term((colloquial, *officials)))
            text = text.replace(colloquial, " ")
    for word, flag in tag(text):
        if not TOKEN.fullmatch(word) or word in STOPWORDS or word in read_words(GENERIC_FILE) or not CJK.search(word):
            continue
        place = is_place(word, flag)
        if len(word) > 1 and (flag.startswith(CONTENT_FLAGS) or place or word in referrals()):
            found.setdefault((word,), Term((word,), is_place=place))
    return list(found.values())


class CoverageJudge:
    """Judges questions against one corpus: what it knows, and what the hits hold."""

    def __init__(self, corpus_text: str, terms: TermMap, params: CoverageParams | None = None):
        self.corpus_text = corpus_text
        self.terms = terms
        self.params = params or CoverageParams()

    def judge(self, question: str, hits: list[Hit]) -> Verdict:
        """Whether the hits cover the question, and if not, why and where to ask instead."""
        params = self.params
        if not params.enabled:
            return Verdict(bool(hits), 1.0, reason="" if hits else "no hits")
        if INJECTION.search(question):
            return Verdict(False, 0.0, reason="injection")
        if not hits:
            return Verdict(False, 0.0, reason="no hits")
        wanted = question_terms(question, self.terms)
        if not wanted:
            return self.judge_by_similarity(hits)
        known = [term for term in wanted if term.found_in(self.corpus_text)]
        unknown = [term for term in wanted if term not in known]
        texts = [hit_text(hit) for hit in hits[: params.chunks_checked]]
        best_text = max(texts, key=lambda text: share_found(wanted, text))
        overall = share_found(wanted, best_text)
        place = next((term for term in unknown if term.is_place), None)
        if place:
            return Verdict(False, overall, reason=f"unknown place: {place.alternatives[0]}")
        referral = next((referrals()[w] for term in unknown for w in term.alternatives if w in referrals()), "")
        if referral and overall < params.referral_override:
            return Verdict(False, overall, reason="out-of-scope topic", referral=referral)
        if not known or len(known) / len(wanted) < params.min_known_share:
            return Verdict(False, overall, reason=f"corpus knows {len(known)}/{len(wanted)} words")
        coverage = share_found(known, best_text)
        if coverage < params.min_coverage:
            return Verdict(False, coverage, reason=f"coverage {coverage:.2f}")
        return Verdict(True, coverage)

    def judge_by_similarity(self, hits: list[Hit]) -> Verdict:
        """No Chinese content word to check (an English question): trust the embedder's score."""
        best = max(hit.dense for hit in hits)
        covered = best >= self.params.min_dense
        return Verdict(covered, best, reason="" if covered else f"similarity {best:.2f}")


def hit_text(hit: Hit) -> str:
    return f"{hit.chunk.section}\n{hit.chunk.text}\n{hit.meta.title}{hit.meta.issuer}"


def share_found(wanted: list[Term], text: str) -> float:
    return sum(term.found_in(text) for term in wanted) / len(wanted) if wanted else 0.0
