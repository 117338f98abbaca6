"""Compose a short, cited answer from retrieved chunks, without an LLM.

The answer is made of the documents' own sentences, each followed by its citation `[n]`,
so every fact and number in it stands in the cited source. Sentences from plan sections
are labelled as plans. Questions about the document itself (文号, issuer, date) are
answered from its metadata.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from bot.coverage import CoverageJudge
from bot.datafiles import say
from bot.evidence import Sentence, Term, clauses, doc_year, has_type
from bot.outcome import NO_SENTENCE_MATCHED, Verdict, decide, refuse, unanswerable_place
from bot.records import Answer, Citation, Hit, Query
from index.records import META, PLAN, DocMeta
from zhtext.dates import format_date_zh
from zhtext.docnumber import DOC_NUMBER

NUMBER = re.compile(r"\d+(?:\.\d+)?")
HEADING_SENTENCE = re.compile(r"^([（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+是)[^，,；]{0,24}。$")
ASKS_PLAN = re.compile(
    r"下一步|下步|计划|打算|安排|将来|以后|往后|今后|明年|还要|还将|还会|准备|会不会|要(建|办|做|出台|开展|实施)"
    r"|(出台|有|出来|办|开过|建成|完成|实施)了吗"
)
# The present asked for in words: done work answers it, a plan does not.
ASKS_NOW = re.compile(r"现在|目前|现行|如今|眼下|已经|现有")
YEAR = re.compile(r"(\d{4})年")
# A clause opening on a preposition (按照…要求，) modifies the clause after it: a quote does not end on it.
ADVERBIAL = re.compile(r"(按照|依照|根据|通过|围绕|针对|为了|随着|经过)")
SENTENCE_ENDS = ("。", "！", "？", "!", "?", ".")
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
    max_sentences: int = 2
    keep_ratio: float = 0.8  # a further sentence must hold this share of the lead's words
    quote_chars: int = 60  # a longer sentence is quoted from its first relevant clause, about this long
    whole_chars: int = 45  # a sentence this short is always quoted whole
    dangling_chars: int = 8  # a quote cut inside a sentence does not end on a clause this short
    fact_chars: int = 90  # a further figure of an asked word is kept while the quote stays this long


@dataclass(frozen=True)
class Quote:
    """What the answer says from one sentence: the sentence or a verbatim run of its clauses."""

    text: str
    sentence: Sentence


class ExtractiveComposer:
    """Answers from the documents' own sentences, or refuses; needs no LLM."""

    def __init__(self, judge: CoverageJudge, params: ComposeParams | None = None, dated_leads: bool = False):
        """`dated_leads`: the corpus holds more than one jurisdiction, so the lead names the
        reply's issuer and its date."""
        self.judge = judge
        self.params = params or ComposeParams()
        self.dated_leads = dated_leads

    def compose(self, query: Query, hits: list[Hit]) -> Answer:
        """Answer `query` from `hits`, or refuse when they do not cover it.

        The first sentence of the answer is the sentence that made the question answerable,
        cut to the clauses that carry the asked words.

        Args:
            query: the prepared question.
            hits: retrieved chunks, best first.

        Returns:
            The answer with its citations, or a refusal with none.
        """
        reason = unanswerable_place(query)
        if reason:
            return refuse(query, hits, reason, "")
        intent = meta_intent(query.question)
        if intent and hits:
            return answer_meta(query, hits, intent)
        verdict = decide(self.judge.read(query, hits), self.judge.params.decision)
        hits = reranked(hits, [s.hit for s in verdict.evidence])
        if not verdict.covered:
            return refuse(query, hits, verdict.reason, verdict.referral)
        asked = list(verdict.reading.asked)
        chosen = select_sentences(query, verdict, asked, self.params)
        if not chosen:
            return refuse(query, hits, NO_SENTENCE_MATCHED, "")
        kind = verdict.reading.asked_kind
        quotes = [Quote(quote_clauses(s.text, asked, kind, self.params), s) for s in chosen]
        return assemble(query, reranked(hits, [q.sentence.hit for q in quotes]), quotes, self.dated_leads)


def reranked(hits: list[Hit], first: list[Hit]) -> list[Hit]:
    """The hits with those of `first` leading, in its order, the rest as retrieved; ranks renumbered.

    The judge reads the hits sentence by sentence, which tells a paragraph that answers from one
    that shares the question's words; the answer's sources lead the list a reader checks next.
    """
    by_id = {hit.chunk.chunk_id: hit for hit in hits}
    order = dict.fromkeys([*(hit.chunk.chunk_id for hit in first if hit.chunk.chunk_id in by_id), *by_id])
    return [dataclasses.replace(by_id[chunk_id], rank=rank) for rank, chunk_id in enumerate(order, start=1)]


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


def select_sentences(query: Query, verdict: Verdict, asked: list[Term], params: ComposeParams) -> list[Sentence]:
    """The lead sentence and at most a few more holding as much of the question, lead first.

    Plans are left out unless the question asks about plans or no done sentence says about as much.
    """
    readable = [s for s in verdict.evidence if not HEADING_SENTENCE.match(s.text)]
    candidates = [s for s in readable if s.score > 0] or (readable if not verdict.reason else [])
    if not candidates:
        return []
    if not asks_about_plans(query, doc_year(candidates[0].hit)):
        done = [s for s in candidates if s.hit.chunk.status != PLAN]
        best = candidates[0]
        # Done work leads when the question asks about now, or when it says about as much: a plan
        # that says the asked thing beats a done sentence that barely touches it.
        as_much = ASKS_NOW.search(query.question) or (done and done[0].score >= params.keep_ratio * best.score)
        if done and done[0].typed >= best.typed and as_much:
            candidates = done
    candidates = newest_first(candidates, params.keep_ratio)
    chosen = [candidates[0]]
    for sentence in candidates[1:]:
        if len(chosen) < params.max_sentences and adds_to(chosen, sentence, asked, params):
            chosen.append(sentence)
    return chosen


def newest_first(candidates: list[Sentence], ratio: float) -> list[Sentence]:
    """When a newer reply of the lead's issuer says as much (typed, and at least `ratio` of the
    lead's share), its sentence leads: the newer reply updates the older one's figures."""
    lead = candidates[0]
    newer = [
        s
        for s in candidates
        if s.hit.meta.issuer == lead.hit.meta.issuer
        and s.hit.meta.date > lead.hit.meta.date
        and s.typed >= lead.typed
        and s.score >= ratio * lead.score
    ]
    if not newer:
        return candidates
    best = max(newer, key=lambda s: (s.hit.meta.date, s.score))
    return [best, *(s for s in candidates if s is not best)]


def adds_to(chosen: list[Sentence], sentence: Sentence, asked: list[Term], params: ComposeParams) -> bool:
    """Whether a further sentence says something asked for that the chosen ones do not."""
    lead = chosen[0]
    if sentence.typed < lead.typed or sentence.score < params.keep_ratio * lead.score:
        return False
    if sentence.hit.chunk.doc_id != lead.hit.chunk.doc_id:
        return False
    said = "".join(s.text for s in chosen)
    return any(term.found_in(sentence.text) and not term.found_in(said) for term in asked)


def asks_about_plans(query: Query, year: int | None) -> bool:
    """Plans are asked for in words (打算, 下一步 …) or by a year after the document's."""
    text = " ".join([*query.history[-1:], query.question])
    later = year is not None and any(int(y) > year for y in YEAR.findall(text))
    return later or bool(ASKS_PLAN.search(text))


def quote_clauses(sentence: str, asked: list[Term], kind: str, params: ComposeParams) -> str:
    """A long sentence cut to a verbatim run of its clauses: the earliest short run that opens on an
    asked word and holds every asked word the sentence holds and the asked kind of fact, continued
    while it stays about `quote_chars` long."""
    if len(sentence) <= params.whole_chars:
        return sentence
    parts = clauses(sentence)
    held = [{i for i, term in enumerate(asked) if term.found_in(part)} for part in parts]
    typed = [bool(kind) and has_type(part, kind) for part in parts]
    wanted = set().union(*held)
    runs = [
        (start, end)
        for start in range(len(parts))
        for end in range(start, len(parts))
        if set().union(*held[start : end + 1]) == wanted
        and (not any(typed) or any(typed[start : end + 1]))
        and (held[start] if wanted else typed[start])  # a run opens on what was asked
    ]
    if not runs:  # nothing asked stands in it, or its fact only before the asked words
        return sentence
    length = {run: len("".join(parts[run[0] : run[1] + 1])) for run in runs}
    start, end = min(runs, key=lambda run: (length[run] > params.quote_chars, run[0], length[run]))
    if kind and not typed[end] and end + 1 < len(parts) and typed[end + 1]:
        end += 1  # asked words followed by their fact: "到十四五末期，完成…不少于4万户"
    while end + 1 < len(parts) and ADVERBIAL.match(parts[end]):
        end += 1  # "按照…功能要求，" says how; the clause after it says what was done
    # the asked thing's next figure, or the share that sums up the figures quoted ("采集率已达到82.64%")
    while end + 1 < len(parts) and (held[end + 1] or "%" in parts[end + 1]) and NUMBER.search(parts[end + 1]):
        if len("".join(parts[start : end + 2])) > params.fact_chars:
            break
        end += 1
    needed = end
    while end + 1 < len(parts) and len("".join(parts[start : end + 2])) <= params.quote_chars:
        end += 1
    while end > needed and end + 1 < len(parts) and len(parts[end]) < params.dangling_chars:
        end -= 1  # not "…，今年。": a short clause before a cut opens what is cut away
    return "".join(parts[start : end + 1]).rstrip("，,；;：: ")


def assemble(query: Query, hits: list[Hit], quotes: list[Quote], dated: bool = False) -> Answer:
    """Number citations by first use and write the answer text, lead quote first."""
    numbers: dict[str, int] = {}
    cited: dict[str, list[str]] = {}
    parts = []
    for quote in quotes:
        hit = quote.sentence.hit
        chunk_id = hit.chunk.chunk_id
        n = numbers.setdefault(chunk_id, len(numbers) + 1)
        cited.setdefault(chunk_id, []).append(quote.text)
        label = say("plan_label") if hit.chunk.status == PLAN and not starts_as_plan(quote.text) else ""
        end = "" if quote.text.endswith(SENTENCE_ENDS) else "。"
        parts.append(f"{label}{quote.text}{end}[{n}]")
    by_id = {q.sentence.hit.chunk.chunk_id: q.sentence.hit for q in quotes}
    citations = tuple(Citation(n, by_id[chunk_id], tuple(cited[chunk_id])) for chunk_id, n in numbers.items())
    lead = answer_lead(quotes[0].sentence.hit.meta, query, dated)
    return Answer(query.question, lead + "".join(parts), False, citations, tuple(hits), query.search_text)


def answer_lead(meta: DocMeta, query: Query, dated: bool) -> str:
    """根据<issuer>[<date>]的答复（<number>）：, dated when the corpus holds several jurisdictions,
    after a sentence saying so when the place asked about has no reply of its own."""
    issuer = meta.issuer or "民政部门"
    if dated and meta.date:
        issuer = f"{issuer}{format_date_zh(meta.date)}"
    lead = (
        say("answer_lead", issuer=issuer, number=meta.number)
        if meta.number
        else say("answer_lead_no_number", issuer=issuer)
    )
    if query.scope and query.scope.broader:
        lead = say("answer_broader", place=query.scope.place, broader=query.scope.broader) + lead
    return lead


def starts_as_plan(sentence: str) -> bool:
    """Whether a quote already opens on the label's own words; "拟…" alone is too easily missed."""
    return sentence.startswith(("计划", "下一步", "下步"))


def ungrounded_numbers(answer: Answer) -> list[str]:
    """Numbers in the answer text found in none of its citations or their metadata."""
    sources = " ".join(
        f"{c.hit.chunk.text} {c.hit.meta.number} {c.hit.meta.date} {format_date_zh(c.hit.meta.date)}"
        for c in answer.citations
    )
    body = re.sub(r"\[\d+\]", "", answer.text)
    return [number for number in NUMBER.findall(body) if number not in sources]
