"""Where a question is answered or refused: the one decision, and every reason it can give.

The judge (bot/coverage.py) reads the retrieved sentences and measures how well each answers
(a `Reading`); `decide` turns that reading into a `Verdict`; the composer (bot/answer.py) quotes
the verdict's evidence or, when it is not covered, writes the refusal `refuse` makes here.

A refusal's `reason` (in `Answer.reason`, for logs and evals) is one of:

- `no reply for <place>`: the question names a place no indexed reply speaks for;
- `which place: <a>/<b>`: the place's name is several indexed places' (临水区 of two cities): it asks which;
- `no hits`: retrieval found nothing;
- `no content words`: the question says nothing to look for (and leans on no earlier one);
- `unknown place: <place>`: a place the corpus never names (北京 in a 吉林省 corpus);
- `out-of-scope topic`: a topic other offices answer (养老金, 收费 …), with where to ask instead,
  unless one sentence says most of the question;
- `no sentence holds the asked <kind>`: no sentence holds the kind of fact asked for (a count, an
  amount, a date …) or, with no kind, the question's words;
- `best sentence holds <share>`: the best sentence holds too little of what is asked;
- `similarity <score>`: a question with no Chinese content word, and the embedder's best score is low;
- `no sentence matched`: the judge covered it, but no readable sentence is left to quote;
- `document has no <field>`: a question about the document itself (文号, date …) it does not state;
- `llm: the sources do not answer`: the optional LLM composer found no answer in the sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.datafiles import say
from bot.evidence import Sentence, Term
from bot.records import Answer, Hit, Query

NO_HITS = "no hits"
NO_CONTENT_WORDS = "no content words"
OUT_OF_SCOPE = "out-of-scope topic"
NO_SENTENCE_MATCHED = "no sentence matched"
LLM_FOUND_NONE = "llm: the sources do not answer"


@dataclass(frozen=True)
class DecisionParams:
    """The decision's thresholds, as `CoverageParams.decision` hands them on (their values are set there)."""

    min_share: float
    referral_override: float
    min_dense: float
    typed: bool
    enabled: bool


@dataclass(frozen=True)
class Reading:
    """What the judge measured of the retrieved chunks for one question; it decides nothing."""

    evidence: tuple[Sentence, ...] = ()  # the hits' sentences, best first
    asked: tuple[Term, ...] = ()  # the question's own terms, as it words them
    asked_kind: str = ""  # the kind of fact the question itself asks for ("" for yes/no)
    kind: str = ""  # ... or, for a follow-up that names none, the earlier question's
    retrieved: bool = True  # retrieval found anything
    worded: bool = True  # the question (or the conversation it leans on) has content words
    unknown_place: str = ""  # a place the question names that the corpus never does
    referral: str = ""  # where to ask instead, for an out-of-scope topic the question names
    similarity: float | None = None  # the embedder's best score, for a question with no Chinese


@dataclass(frozen=True)
class Verdict:
    covered: bool
    coverage: float
    reading: Reading = field(default_factory=Reading)
    reason: str = ""
    referral: str = ""

    @property
    def evidence(self) -> tuple[Sentence, ...]:
        return self.reading.evidence


def decide(reading: Reading, params: DecisionParams) -> Verdict:
    """Whether the reading covers the question; if not, why, and where to ask instead."""
    evidence = reading.evidence
    if not reading.retrieved:
        return Verdict(False, 0.0, reading, reason=NO_HITS)
    if not params.enabled:
        return Verdict(True, 1.0, reading)
    if reading.similarity is not None:
        best = reading.similarity
        covered = best >= params.min_dense
        return Verdict(covered, best, reading, reason="" if covered else f"similarity {best:.2f}")
    if not reading.worded:
        return Verdict(False, 0.0, reading, reason=NO_CONTENT_WORDS)
    if reading.unknown_place:
        return Verdict(False, 0.0, reading, reason=f"unknown place: {reading.unknown_place}")
    best = evidence[0] if evidence else None
    if reading.referral and (best is None or not best.typed or best.score < params.referral_override):
        return Verdict(False, 0.0, reading, reason=OUT_OF_SCOPE, referral=reading.referral)
    if best is None or (params.typed and not best.typed):
        return Verdict(False, 0.0, reading, reason=f"no sentence holds the asked {reading.kind or 'words'}")
    if best.score < params.min_share:
        return Verdict(False, best.score, reading, reason=f"best sentence holds {best.score:.2f}")
    return Verdict(True, best.score, reading)


def unanswerable_place(query: Query) -> str:
    """The reason to refuse before reading anything: the question names a place no reply speaks for,
    or a name several indexed places bear."""
    scope = query.scope
    if not scope or scope.jurisdictions:
        return ""
    return f"which place: {'/'.join(scope.choices)}" if scope.choices else f"no reply for {scope.place}"


def refuse(query: Query, hits: list[Hit], reason: str, referral: str) -> Answer:
    """A refusal with where to ask instead: the topic's hotline, else the named place's 12345 —
    saying that the place's own replies do not cover the question when it has replies."""
    if query.scope and query.scope.choices:
        text = say("refusal_which_place", place=query.scope.place, choices="、".join(query.scope.choices))
    elif query.scope and not referral:
        own_replies = query.scope.jurisdictions and not query.scope.broader
        text = say("refusal_place_topic" if own_replies else "refusal_place", place=query.scope.place)
    else:
        text = say("refusal", referral=referral or say("referral_default"))
    return Answer(query.question, text, True, (), tuple(hits), query.search_text, reason)
