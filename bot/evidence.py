"""Sentence-level evidence: what a question asks for, and which sentences of the hits say it.

Both the coverage judge and the composer read the retrieved chunks through this module, so
the sentence that makes a question answerable is the sentence the answer leads with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.records import Hit
from index.records import META
from zhtext.sentences import split_sentences

# What a question asks for. The first pattern that matches decides; order matters
# ("占比多少" is a percent, not a count). General Chinese question grammar, not corpus words.
ASKED_TYPES = (
    (
        "percent",
        re.compile(
            r"比例|占比|百分之|百分比|占(?!地)[^，。？]{0,6}?(多少|几成)|[^\s，。？]{0,4}率(是|有|到|达到)?多少"
        ),
    ),
    (
        "money",
        re.compile(
            r"多少钱|几块钱|多少元|花了?多少|资金.{0,4}多少|多少.{0,4}资金|工资|薪|津贴|补贴.{0,4}多少|费.{0,3}多少"
        ),
    ),
    ("frequency", re.compile(r"多久(去|来|会|能)?一?[次回趟]|多长时间.{0,3}一[次回趟]|几天一[次回趟]|隔多久|频率")),
    ("duration", re.compile(r"多长时间|多久|要等|等一段时间|几天(?!一)")),  # how long, in days or months
    ("time", re.compile(r"几点|几时|什么时间段|营业时间|开放时间")),
    ("date", re.compile(r"什么时候|哪一?年|何时|哪一?天|几月|几号|when", re.IGNORECASE)),
    ("ordinal", re.compile(r"第几")),  # 第几届 is answered by 第四届, not by a count
    # 十几分钟, 好几年, 几十个: an approximate number, not a question
    (
        "count",
        re.compile(r"多少|(?<![十百千万好哪])几(?![十百千万])[个家张户人名所场门项届类]?|多大|how many|how much", re.I),
    ),
    ("name", re.compile(r"叫什么(名字)?|什么名字|名称是什么")),
    ("list", re.compile(r"哪些|哪几|哪\d+[项类个种]|包括什么|包括哪|有什么|是什么|什么内容")),
    # "怎么办？" at a clause's end asks what can be done, not how to apply
    (
        "how",
        re.compile(
            r"怎么(申请|办理|办(?![呢啊呀吧？?！!。，,]|$)|报名|弄|做)|如何(申请|办理|报名)|[去在]哪(里|儿)?办|什么(材料|手续)"
        ),
    ),
)
# How a question is asked, not what about: never a word the answer must hold.
QUESTION_FRAMES = re.compile(
    r"一共|总共|有?(什么|哪些|啥)(安排|措施|举措|办法|动作)"  # "这方面有什么安排": what is done, whatever it is called
    r"|(主要)?(包括|包含|有)(什么|哪些)|哪些地方|都有哪些"
    r"|到(什么|啥|哪种|哪个)(程度|地步|阶段|份上)"  # "登记到什么程度了" asks how far 登记 has come
    r"|(是)?(啥|什么)意思|是干(嘛|啥|什么)的|(能|都能|都)干(嘛|啥|什么)|有(啥|什么)用"  # asks what a thing is for
    r"|[上下这那每某哪各][个位]"  # determiners jieba may tag as words of their own ("上个老年大学")
    r"|(?<=[\u4e00-\u9fff])([好完成]了|过了?)(吗|没有?)"  # a verb's result: "建好了吗", "开过了吗" ask whether
    r"|(?<=[\u4e00-\u9fff])(下来|出来|起来)了?(?=[吗呢没？?]|$)"  # "定下来了吗", "能出来吗": whether 定, 出
    r"|(?<=[能以要想去])(申请|申领|办理)(?=[\u4e00-\u9fff]{2})"  # "能申请家里装个扶手吗" asks about the 扶手
    # "有人来查吗": 来 only says someone comes to do it (not 将来, 过去)
    r"|(?<![将未后以原本从过出回进上下起失])[来去](?=[\u4e00-\u9fff]([吗呢？?，,。]|$))"
)
# "好不好吃", "能不能", "有没有": the A-not-A question asks whether A; A is what it asks about.
A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
# "改一改", "看一看": a verb said twice softens it; it asks about the verb.
REDUPLICATED = re.compile(r"([\u4e00-\u9fff])一\1(?=[吗呢吧啊了，,。？?！!\s]|$)")  # not 学一学期
# What a sentence must hold to answer each type.
TYPE_EVIDENCE = {
    "percent": re.compile(r"\d(\.\d+)?%|百分之"),
    "money": re.compile(r"\d(\.\d+)?\s*[万亿]?元"),
    # not a bare year or date; 两个, 三项: a Chinese numeral with its measure word (一个 is "a"), not an ordinal
    "count": re.compile(
        r"\d+(?:\.\d+)?(?![\d.]|年|月|日)|(?<!第)[两三四五六七八九十][十百千万]?[个家张户人名所场门项届类次批]"
    ),
    # 30天, 三个月; not a date (2023年8月, 8日)
    "duration": re.compile(
        r"(?<![\d.])\d{1,3}(\.\d+)?\s*(个月|天|小时|分钟|周|年(?![底末内初]))|[一二两三四五六七八九十半]+个?(个月|天|周|年)"
    ),
    "frequency": re.compile(r"每[天日周月年季]|每隔|[日周月季年](巡|探|走)?访|定期|常态化"),
    "ordinal": re.compile(r"第[一二三四五六七八九十百\d]+"),
    "time": re.compile(r"\d{1,2}[点时]|\d{1,2}[:：]\d{2}"),
    "date": re.compile(r"\d{4}年|\d{1,2}月|今年|明年|年底|年内"),
    "name": re.compile(r"《[^》]+》|“[^”]+”|名为|叫做|称为"),
    "list": re.compile(r"、|》《|包括|主要"),  # 《…》《…》: titles one after another
    "how": re.compile(r"申请|办理|报名|咨询|热线|登记"),
}
# An amount or count asked per unit ("每月多少", "户均多少") is answered by a rate, not a total.
PER_UNIT_ASKED = re.compile(r"每[个位人户月年天周次张床餐顿]|户均|人均")
# "，年参加…19.2万人次": a clause opening on 年 and a verb says a yearly figure.
PER_UNIT_SAID = re.compile(r"每|[户人床]均|平均|/|(?:^|[，,；;])年(?![底内度末初中份以])[\u4e00-\u9fff]")
# A count asked with its measure word ("多少户", "几家") wants a number with that measure word.
MEASURE = re.compile(r"(?:多少|几)(?:万|千|百)?([个家张户人名所场门项届类次元])")
CLAUSE = re.compile(r"[^，,；;：:]+[，,；;：:]?")
# Relative years resolved against each document's own date (year offset from it).
YEAR = re.compile(r"\d{4}年")
RELATIVE_YEARS = {"前年": -2, "去年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1, "下一年": 1, "后年": 2}
NUMBER_INSIDE = re.compile(r"\d[,，]\d")
# A clause of a question that asks: a question word, a question particle or mark, or A-not-A.
# The other clauses before the last one set the scene ("我奶奶腿脚不好，…能帮忙改一改吗？").
QUESTION_CLAUSE = re.compile(r"[^，,；;。！!？?]+[？?]?")
ASKS = re.compile(r"[？?吗呢]|多少|几|什么|怎么|咋|哪|是否|如何|何时|([\u4e00-\u9fff])[不没]\1")
# What may follow what a yes/no question asks: particles, or a one-character adjective said of it
# ("饭菜贵吗", "态度好吗": the question asks about 饭菜, 态度).
YES_NO_END = re.compile(r"(不?[贵好多少大小高低长短远近快慢难累差够]|不好|不够)?[了过吗呢啊呀么吧？?！!。\s]*")
# A copular question with no subject of its own asks what the clause before it is ("我妈总是忘记吃药，
# 是不是老年痴呆了？"): that clause is asked too.
COPULA_OPENING = re.compile(r"^\s*(是不是|是否|算不算|属不属于|属于)")


def asked_type(question: str) -> str:
    """What the question asks for: percent, money, how often, how long, a clock time, a date, an
    ordinal, count (with its measure word: "count:户"), a name, list, how, or "" (yes/no)."""
    kind = next((name for name, pattern in ASKED_TYPES if pattern.search(question)), "")
    measure = MEASURE.search(question)
    return f"count:{measure.group(1)}" if kind == "count" and measure else kind


def has_type(text: str, kind: str) -> bool:
    """Whether `text` holds the kind of fact the question asks for ("count:户": a number of 户)."""
    if not kind:
        return True
    kind, _, measure = kind.partition(":")
    if measure:
        # "第四届" answers "第几届" as "4届" would: a measure word takes Chinese numerals too
        return bool(re.search(rf"(\d[\d.]*|[一二两三四五六七八九十百千]+)\s*[万亿]?余?{measure}", text))
    return bool(TYPE_EVIDENCE[kind].search(text))


def asked_words(question: str) -> str:
    """The question without how it is asked: question frames blanked, A-not-A and A一A read as A."""
    return REDUPLICATED.sub(r"\1", A_NOT_A.sub(r"\1", QUESTION_FRAMES.sub(" ", question)))


def asked_clauses(question: str) -> str:
    """The clauses of a question that ask something, and its last clause; not the ones that only
    set the scene ("退休在家闲得慌，有没有老年人上学的地方？" asks only its second clause). A request
    with no question word ("忽略…，告诉我…。") asks all of it."""
    parts = [part for part in QUESTION_CLAUSE.findall(question) if part.strip()]
    if not any(ASKS.search(part) for part in parts):
        return question
    asking = [i == len(parts) - 1 or bool(ASKS.search(part)) for i, part in enumerate(parts)]
    for i in range(1, len(parts)):
        asking[i - 1] = asking[i - 1] or (asking[i] and bool(COPULA_OPENING.match(parts[i])))
    return " ".join(part for part, asks in zip(parts, asking, strict=True) if asks)


def predicate(clause: str, word: str) -> bool:
    """Whether `word` ends the asking clause, only particles or a one-character adjective after it:
    what a yes/no question asks ("护理型床位以后会涨价吗": 涨价; "社区食堂的饭菜贵吗": 饭菜)."""
    at = clause.rfind(word)
    return at >= 0 and bool(YES_NO_END.fullmatch(clause[at + len(word) :]))


def per_unit(question: str, kind: str) -> bool:
    """Whether the question asks for an amount or count per unit (每户补贴多少)."""
    return kind.partition(":")[0] in ("money", "count", "percent") and bool(PER_UNIT_ASKED.search(question))


def rate_said(sentence: str) -> bool:
    return bool(PER_UNIT_SAID.search(sentence))


def doc_year(hit: Hit) -> int | None:
    year = hit.meta.date[:4]
    return int(year) if year.isdigit() else None


def resolve_years(words: list[str], year: int | None) -> list[str]:
    """Relative years (今年, 去年, 明年) as the document's years: 明年 in a 2023 reply is 2024年."""
    if year is None:
        return []
    return [f"{year + RELATIVE_YEARS[word]}年" for word in words if word in RELATIVE_YEARS]


@dataclass(frozen=True)
class Term:
    """A content word of the question, or a group of official words any one of which counts."""

    alternatives: tuple[str, ...]
    is_place: bool = False
    scoped: bool = False  # the place the search was restricted to: every retrieved reply speaks for it
    figure: bool = False  # a figure the question names: it orders sentences, never refuses

    def found_in(self, text: str, year: int | None = None) -> bool:
        """Whether the text holds the term; with the text's document year, 明年 and 2024年 in a
        2023 reply match each other."""
        if any(word in text for word in self.alternatives):
            return True
        if year is None:
            return False
        word = self.alternatives[0]
        if word in RELATIVE_YEARS:
            return f"{year + RELATIVE_YEARS[word]}年" in text
        return any(f"{year + offset}年" == word and relative in text for relative, offset in RELATIVE_YEARS.items())

    def names_year(self) -> bool:
        return bool(YEAR.fullmatch(self.alternatives[0])) or self.alternatives[0] in RELATIVE_YEARS

    def is_year_of(self, year: int | None) -> bool:
        """Whether the term names the document's own year (今年, or 2023年 in a 2023 reply)."""
        word = self.alternatives[0]
        return year is not None and (word == f"{year}年" or RELATIVE_YEARS.get(word) == 0)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved chunk, where it stands, and how well it answers."""

    text: str
    hit: Hit
    score: float  # weighted share of the question's words it holds, 0–1
    typed: bool  # holds the kind of fact asked for
    leans: float = 0.0  # share of the earlier questions' words it holds, for a follow-up
    worded: float = 0.0  # share of the question's words it holds in the question's own wording

    @property
    def position(self) -> tuple[int, int]:
        return self.hit.chunk.ordinal, self.hit.chunk.text.index(self.text)


def sentences_of(hits: list[Hit]) -> list[tuple[str, Hit]]:
    """The body sentences of the hits (no metadata chunks), in rank order."""
    return [(sentence, hit) for hit in hits if hit.chunk.kind != META for sentence in split_sentences(hit.chunk.text)]


def clauses(sentence: str) -> list[str]:
    """A sentence cut at commas, semicolons and colons, never inside a number ("1,000")."""
    pieces: list[str] = []
    for match in CLAUSE.finditer(sentence):
        piece = match.group(0)
        if pieces and NUMBER_INSIDE.search(pieces[-1][-1:] + piece[:1]):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces
