"""Check a written answer against the sources it cites, before anyone sees it. Pure functions of text.

An LLM may only rephrase the cited sentences. `verify` lists what an answer says beyond them:
a sentence without a valid `[n]`, a number, amount, percentage, date or 文号 its cited sources do
not hold, a phone number, place or office that neither the sources nor the referral table name,
and a plan presented as done. An empty list means the answer may be shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.coverage import is_place
from bot.records import Citation
from index.records import PLAN
from zhtext.dates import format_date_zh
from zhtext.sentences import split_sentences
from zhtext.tokens import tag

CITE = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
# "…1558家。[1]" puts the mark after the full stop; it belongs to the sentence before it.
MARKS_AFTER_END = re.compile(r"([。！？!?]+|(?<!\d)\.)((?:\s*[\[【][\d,，、\s]+[\]】])+)")
DOC_NUMBER = re.compile(r"[〔\[【(（]\s*(\d{4})\s*[〕\]】)）]\s*(\d+)\s*号")
DATE = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?|(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# A phone number: five or more digits not followed by a unit (144500张 is an amount).
PHONE = re.compile(r"(?<![\d.])(?:0\d{2,3}-)?\d{5,}(?![\d.])(?!\s*[元张人家个户名次床所座间项条位万亿%％])")
NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?\s*([%％])?")
THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
CN_NUMBER = re.compile(r"(百分之)?([零一二两三四五六七八九十百千万亿]+(?:点[零一二三四五六七八九]+[万亿]?)?)")
CN_DIGITS = dict(zip("零一二两三四五六七八九", (0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}
CN_WORD = re.compile(r"[\u4e00-\u9fff]+")
PLAN_WORDS = re.compile(r"计划|将|拟|下一步|下步|今后|打算|准备")
# An office: two or more characters before one of these (人社局, 民政部门, 便民服务中心).
OFFICE = re.compile(r"[\u4e00-\u9fff]{2}(?:厅|局|部门|办公室|委员会|服务中心|热线)")
GENERIC_OFFICE_HEADS = ("相关", "有关", "各级", "主管", "职能", "当地", "政府")
# A place jieba does not know: the two characters before an administrative suffix (青禾市, 龙江省),
# unless the one before the suffix makes a common word (城市, 本市, 社区, 全省 …).
PLACE_NAME = re.compile(r"[\u4e00-\u9fff]{2}(?:自治区|自治州|省|市|县|区|州)")
COMMON_BEFORE_SUFFIX = set("全各本该我外城超都门股上下夜集山社辖小园景地郊市县老街片点内省区州属")
GENERIC_PLACE_HEADS = ("全", "各", "本", "该", "我", "外", "省", "市", "县")


@dataclass(frozen=True)
class Problem:
    """One thing an answer says that its sources do not."""

    kind: str  # empty | uncited | citation | number | date | doc_number | phone | place | office | plan_as_done
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def verify(
    text: str, citations: Sequence[Citation], referrals: Iterable[str] = (), places: Iterable[str] = ()
) -> list[Problem]:
    """What `text` says beyond its cited sources; empty when every sentence stands in them.

    Args:
        text: the answer, citing sources as [n].
        citations: the numbered sources, `citations[n - 1]` being [n].
        referrals: texts the answer may always quote: where to ask instead (12345, 12333 …).
        places: further place names to look for, e.g. the corpus's jurisdictions.

    Returns:
        The problems found, in the order of the text.
    """
    sentences = answer_sentences(text)
    if not sentences:
        return [Problem("empty", "no sentence")]
    everything = " ".join([*map(source_text, citations), *referrals])
    problems = []
    for sentence in sentences:
        marks = cited_numbers(sentence)
        if not marks:
            problems.append(Problem("uncited", sentence))
            continue
        invalid = [n for n in marks if not 1 <= n <= len(citations)]
        if invalid:
            problems.append(Problem("citation", f"[{invalid[0]}] 超出 1–{len(citations)}: {sentence}"))
            continue
        cited = [citations[n - 1] for n in marks]
        problems += sentence_problems(sentence, cited, everything, places)
    return problems


def answer_sentences(text: str) -> list[str]:
    """The answer's sentences, each with the citation marks that follow it."""
    text = MARKS_AFTER_END.sub(r"\2\1", text.replace("**", ""))
    lines = (line.strip().lstrip("-•*· ") for line in text.splitlines())
    sentences = [sentence for line in lines if line for sentence in split_sentences(line)]
    return [s for s in sentences if CITE.sub("", s).strip(" 。！？!?；;，,：:")]


def canonical_marks(text: str) -> str:
    """Citation marks as the interfaces link them: 【1】 → [1], [1，2] → [1][2]."""
    return CITE.sub(lambda match: "".join(f"[{n}]" for n in cited_numbers(match.group())), text)


def cited_numbers(sentence: str) -> list[int]:
    return [int(n) for marks in CITE.findall(sentence) for n in re.split(r"\s*[,，、]\s*", marks)]


def source_text(citation: Citation) -> str:
    """Everything a citation lets an answer say: its paragraph and its document's particulars."""
    meta, chunk = citation.hit.meta, citation.hit.chunk
    particulars = (meta.title, meta.number, meta.issuer, meta.date, format_date_zh(meta.date))
    return " ".join((chunk.text, *citation.sentences, *particulars, meta.jurisdiction, meta.contact))


def sentence_problems(sentence: str, cited: list[Citation], everything: str, places: Iterable[str]) -> list[Problem]:
    """A cited sentence's facts against its own sources (numbers) and all sources and referrals (names)."""
    own = " ".join(map(source_text, cited))
    body = THOUSANDS.sub("", CITE.sub(" ", sentence))
    problems = []
    for match in DOC_NUMBER.finditer(body):
        if match.groups() not in doc_numbers(own):
            problems.append(Problem("doc_number", match.group()))
    body = DOC_NUMBER.sub(" ", body)
    for match in DATE.finditer(body):
        if not any(date_matches(date_key(match), known) for known in dates(own)):
            problems.append(Problem("date", match.group()))
    body = DATE.sub(" ", body)
    for phone in PHONE.findall(body):
        if phone not in everything:
            problems.append(Problem("phone", phone))
    body = PHONE.sub(" ", body)
    known = number_values(own)
    numbers = numbers_in(body)
    # A Chinese-numeral word the sources use as is (十四五) is no invention.
    problems += [Problem("number", w) for w, v in numbers if v not in known and not (CN_WORD.fullmatch(w) and w in own)]
    problems += [Problem("place", place) for place in places_in(sentence, places) if place not in everything]
    problems += [Problem("office", office) for office in offices_in(sentence) if office not in everything]
    if any(c.hit.chunk.status == PLAN for c in cited) and not PLAN_WORDS.search(sentence):
        problems.append(Problem("plan_as_done", sentence))
    return problems


def doc_numbers(text: str) -> set[tuple[str, str]]:
    return {match.groups() for match in DOC_NUMBER.finditer(text)}


def date_key(match: re.Match) -> tuple[int | None, int | None, int | None]:
    year, month, day, bare_month, bare_day = match.groups()
    parts = (year, month or bare_month, day or bare_day)
    return tuple(int(part) if part else None for part in parts)  # type: ignore[return-value]


def dates(text: str) -> list[tuple[int | None, int | None, int | None]]:
    found = [date_key(match) for match in DATE.finditer(text)]
    return found + [tuple(map(int, match.groups())) for match in ISO_DATE.finditer(text)]  # type: ignore[misc]


def date_matches(said: tuple, known: tuple) -> bool:
    """2023年11月 matches 2023年11月23日; every part the answer gives must agree."""
    return all(part is None or part == other for part, other in zip(said, known, strict=True))


def numbers_in(text: str) -> list[tuple[str, tuple[float, bool]]]:
    """Each number written in the text, Arabic or Chinese, with its value and whether it is a percentage."""
    found = []
    for match in NUMBER.finditer(text):
        found.append((match.group().strip(), arabic_value(match)))
    for match in CN_NUMBER.finditer(NUMBER.sub(" ", text)):
        digits = match.group(2)
        value = chinese_value(digits)
        if value is not None and (len(digits) > 1 or match.group(1)):  # 一些, 两个: words, not facts
            found.append((match.group(), (value, bool(match.group(1)))))
    return found


def number_values(text: str) -> set[tuple[float, bool]]:
    text = THOUSANDS.sub("", text)
    return {value for _, value in numbers_in(text)}


def arabic_value(match: re.Match) -> tuple[float, bool]:
    number, big, percent = match.groups()
    return round(float(number) * CN_BIG.get(big or "", 1), 4), bool(percent)


def chinese_value(text: str) -> float | None:
    """一千五百五十八 → 1558, 十四点四五万 → 144500; None when it is no well-formed number (十四五)."""
    scale = 1
    while "点" in text and text[-1] in CN_BIG:  # 十四点四五万
        scale, text = scale * CN_BIG[text[-1]], text[:-1]
    whole, _, fraction = text.partition("点")
    total = section = 0
    digit: int | None = None
    for char in whole:
        if char in CN_DIGITS:
            if digit is not None and digit != 0:
                return None
            digit = CN_DIGITS[char]
        elif char in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[char]
            digit = None
        else:
            total = (total + section + (digit or 0)) * CN_BIG[char]
            section, digit = 0, None
    value = float(total + section + (digit or 0))
    if fraction:
        if not all(char in CN_DIGITS for char in fraction):
            return None
        value += float("0." + "".join(str(CN_DIGITS[char]) for char in fraction))
    return round(value * scale, 4)


def places_in(sentence: str, extra: Iterable[str] = ()) -> list[str]:
    """Place names in a sentence: known ones, jieba's with an administrative suffix, and the tail
    of any other name with one (禾市 of 青禾市: found in the sources when the whole name is)."""
    text = CITE.sub(" ", sentence)
    found = [word for word, flag in tag(text) if is_place(word, flag) and not word.startswith(GENERIC_PLACE_HEADS)]
    found += [name for name in PLACE_NAME.findall(text) if name[1] not in COMMON_BEFORE_SUFFIX]
    found += [place for place in extra if place and place in sentence]
    return list(dict.fromkeys(found))


def offices_in(sentence: str) -> list[str]:
    """Offices a sentence names: 人社局, 卫生健康部门 (two characters before the office word)."""
    found = [match.group() for match in OFFICE.finditer(sentence)]
    return [office for office in found if not office.startswith(GENERIC_OFFICE_HEADS)]
