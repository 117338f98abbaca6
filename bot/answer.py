"""Compose a short, cited answer from retrieved chunks, without an LLM.

The answer is made of the documents' own sentences, each followed by its citation `[n]`,
so every fact and number in it stands in the cited source. Sentences from plan sections
are labelled as plans. Questions about the document itself (文号, issuer, date) are
answered from its metadata.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.coverage import CoverageJudge
from bot.records import Answer, Citation, Hit, Query
from index.chunking import format_date_zh
from index.lexical import tokenize
from index.parsing import DOC_NUMBER
from index.records import META, PLAN
from index.sentences import split_sentences

WORDING_FILE = Path(__file__).parent / "data" / "wording.yaml"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
HEADING_SENTENCE = re.compile(r"^([（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+是)[^，,；]{0,24}。$")
ASKS_AMOUNT = re.compile(r"多少|几|数量|比例|占比|how many|how much", re.IGNORECASE)
DOC_REFERENCE = re.compile(r"答复|回复|文件|这份|本文|公文|提案|建议")
META_INTENTS = (
    ("date", re.compile(r"什么时候(发|印发|答复|出的|写的)|哪天|日期|哪一天|成文")),
    ("number", re.compile(r"文号|编号|字号|文件号")),
    ("issuer", re.compile(r"谁发|哪个(单位|部门|机关)|发文单位|落款|谁(作|做)的答复|谁答复|是谁答复")),
    ("addressee", re.compile(r"(答复|回复)(给|的是)谁|写给谁|主送")),
    ("subject", re.compile(r"关于什么|讲的是什么|讲什么|说的是什么|主要内容|针对什么|什么建议|哪个提案")),
    ("title", re.compile(r"标题|题目|叫什么")),
)


@dataclass(frozen=True)
class ComposeParams:
    max_sentences: int = 3
    hits_used: int = 3
    keep_ratio: float = 0.6  # a further sentence must score this share of the best one


@dataclass(frozen=True)
class Candidate:
    sentence: str
    hit: Hit
    score: float


@cache
def wording(path: Path = WORDING_FILE) -> dict[str, str]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def say(key: str, **values: str) -> str:
    """A wording template filled strictly: a missing placeholder raises KeyError."""
    return wording()[key].format_map(values)


class SentenceIdf:
    """Inverse document frequency of words over every sentence of the corpus."""

    def __init__(self, texts: list[str]):
        self.sentences = [sentence for text in texts for sentence in split_sentences(text)]
        self._cache: dict[str, float] = {}

    def __call__(self, token: str) -> float:
        if token not in self._cache:
            containing = sum(token in sentence for sentence in self.sentences)
            self._cache[token] = math.log(1 + len(self.sentences) / (1 + containing)) if containing else 0.0
        return self._cache[token]


class ExtractiveComposer:
    """Answers from the documents' own sentences, or refuses; needs no LLM."""

    def __init__(self, judge: CoverageJudge, idf: SentenceIdf, params: ComposeParams | None = None):
        self.judge = judge
        self.idf = idf
        self.params = params or ComposeParams()

    def compose(self, query: Query, hits: list[Hit]) -> Answer:
        """Answer `query` from `hits`, or refuse when they do not cover it.

        Args:
            query: the prepared question.
            hits: retrieved chunks, best first.

        Returns:
            The answer with its citations, or a refusal with none.
        """
        intent = meta_intent(query.question)
        if intent and hits:
            return answer_meta(query, hits, intent)
        verdict = self.judge.judge(query.question, hits)
        if not verdict.covered:
            return refuse(query, hits, verdict.reason, verdict.referral)
        chosen = select_sentences(query, hits[: self.params.hits_used], self.idf, self.params)
        if not chosen:
            return refuse(query, hits, "no sentence matched", "")
        return assemble(query, hits, chosen)


def meta_intent(question: str) -> str:
    """Which metadata field a question about the document itself asks for, or ""."""
    intent = next((name for name, pattern in META_INTENTS if pattern.search(question)), "")
    if intent and intent != "number" and not DOC_REFERENCE.search(question) and not DOC_NUMBER.search(question):
        return ""  # "哪天开始" about a programme is not about the document
    return intent


def answer_meta(query: Query, hits: list[Hit], intent: str) -> Answer:
    """Answer a question about the document itself from its metadata chunk."""
    hit = next((h for h in hits if h.chunk.kind == META), hits[0])
    meta = hit.meta
    fields = {"number": meta.number, "issuer": meta.issuer, "date": meta.date, "addressee": meta.addressee}
    if intent == "subject" and not meta.subject:
        intent = "title"
    if not fields.get(intent, meta.title):
        return refuse(query, hits, f"document has no {intent}", "")
    sentence = say(
        f"meta_{intent}",
        subject=meta.subject,
        number=meta.number,
        issuer=meta.issuer,
        date_zh=format_date_zh(meta.date),
        title=meta.title,
        addressee=meta.addressee,
    )
    citation = Citation(1, hit, (sentence,))
    return Answer(query.question, f"{sentence}[1]", False, (citation,), tuple(hits), query.search_text)


def select_sentences(query: Query, hits: list[Hit], idf: SentenceIdf, params: ComposeParams) -> list[Candidate]:
    """The sentences that best answer the question, in the order they should be read."""
    weights = term_weights(query, idf)
    wants_amount = bool(ASKS_AMOUNT.search(query.question))
    scored = [
        Candidate(sentence, hit, score_sentence(sentence, hit, weights, wants_amount))
        for hit in hits
        if hit.chunk.kind != META
        for sentence in split_sentences(hit.chunk.text)
        if not HEADING_SENTENCE.match(sentence)
    ]
    if not scored:
        return []
    best = max(scored, key=lambda c: c.score)
    if best.score <= 0:
        return []
    kept = [
        c for c in scored if c.score >= params.keep_ratio * best.score and c.hit.chunk.doc_id == best.hit.chunk.doc_id
    ]
    kept = sorted(kept, key=lambda c: c.score, reverse=True)[: params.max_sentences]
    return sorted(kept, key=lambda c: (c.hit.chunk.ordinal, c.hit.chunk.text.index(c.sentence)))


def term_weights(query: Query, idf: SentenceIdf) -> dict[str, float]:
    """Corpus IDF of each query word; words of the current turn count double."""
    focus = {t for word in query.focus for t in tokenize(word)}
    return {token: idf(token) * (2.0 if token in focus else 1.0) for token in set(tokenize(query.search_text))}


def score_sentence(sentence: str, hit: Hit, weights: dict[str, float], wants_amount: bool) -> float:
    """Weighted query words in the sentence; words only in its section heading count half."""
    section = hit.chunk.section
    matched = sum(weight for token, weight in weights.items() if token in sentence)
    matched += 0.5 * sum(w for t, w in weights.items() if t in section and t not in sentence)
    if matched == 0:
        return 0.0
    bonus = 0.3 * matched if wants_amount and NUMBER.search(sentence) else 0.0
    return matched + bonus + 0.2 / hit.rank


def assemble(query: Query, hits: list[Hit], chosen: list[Candidate]) -> Answer:
    """Number citations by first use and write the answer text."""
    numbers: dict[str, int] = {}
    cited: dict[str, list[str]] = {}
    parts = []
    for candidate in chosen:
        chunk_id = candidate.hit.chunk.chunk_id
        n = numbers.setdefault(chunk_id, len(numbers) + 1)
        cited.setdefault(chunk_id, []).append(candidate.sentence)
        label = (
            say("plan_label") if candidate.hit.chunk.status == PLAN and not starts_as_plan(candidate.sentence) else ""
        )
        parts.append(f"{label}{candidate.sentence}[{n}]")
    by_id = {c.hit.chunk.chunk_id: c.hit for c in chosen}
    citations = tuple(Citation(n, by_id[chunk_id], tuple(cited[chunk_id])) for chunk_id, n in numbers.items())
    meta = chosen[0].hit.meta
    lead = (
        say("answer_lead", issuer=meta.issuer, number=meta.number)
        if meta.number
        else say("answer_lead_no_number", issuer=meta.issuer or "民政部门")
    )
    return Answer(query.question, lead + "".join(parts), False, citations, tuple(hits), query.search_text)


def starts_as_plan(sentence: str) -> bool:
    return sentence.startswith(("计划", "拟", "下一步", "下步"))


def refuse(query: Query, hits: list[Hit], reason: str, referral: str) -> Answer:
    key = "refusal_injection" if reason == "injection" else "refusal"
    text = say(key, referral=referral or say("referral_default"))
    return Answer(query.question, text, True, (), tuple(hits), query.search_text, reason)


def ungrounded_numbers(answer: Answer) -> list[str]:
    """Numbers in the answer text found in none of its citations or their metadata."""
    sources = " ".join(
        f"{c.hit.chunk.text} {c.hit.meta.number} {c.hit.meta.date} {format_date_zh(c.hit.meta.date)}"
        for c in answer.citations
    )
    body = re.sub(r"\[\d+\]", "", answer.text)
    return [number for number in NUMBER.findall(body) if number not in sources]
