"""Make a raw question ready for retrieval: clean it, check it, resolve follow-ups, add terms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.datafiles import DATA, read_pairs
from bot.errors import QuestionError
from bot.records import Query
from zhtext.tokens import STOPWORDS, keywords, tag

TERMS_FILE = DATA / "terms.tsv"
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Full-width ASCII letters and digits (Ａ, ９) become ASCII; CJK punctuation is kept.
FULL_WIDTH = {code: code - 0xFEE0 for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
FOLLOW_UP_START = ("那", "那么", "还有", "另外", "它", "这个", "这些", "那个", "此外", "and ", "what about")
FOLLOW_UP_END = ("呢", "吗")
FOLLOW_UP_MAX_CHARS = 12
RAW_SLACK = 4  # raw text may be this many times the limit before normalising (spaces, zero-width)


@dataclass(frozen=True)
class TermMap:
    """Colloquial words (一个人住) and the official terms (独居) the documents use."""

    pairs: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def load(cls, path: Path = TERMS_FILE) -> TermMap:
        return cls(tuple((colloquial.lower(), tuple(official.split())) for colloquial, official in read_pairs(path)))

    def official_terms(self, text: str) -> list[str]:
        """The official terms for the colloquial words in `text` that `text` lacks."""
        lowered = text.lower()
        found: dict[str, None] = {}
        for colloquial, officials in self.pairs:
            if colloquial in lowered:
                found.update((term, None) for term in officials if term not in lowered)
        return list(found)

    def strip_colloquial(self, text: str) -> str:
        """`text` with the colloquial words that have official terms blanked out."""
        lowered = text.lower()
        for colloquial, _ in self.pairs:
            lowered = lowered.replace(colloquial, " ")
        return lowered


@cache
def default_terms() -> TermMap:
    return TermMap.load()


def normalize(text: str) -> str:
    """Drop control and zero-width characters, make digits and letters half-width, and
    convert traditional Chinese to simplified."""
    import zhconv

    text = text.translate(ZERO_WIDTH).translate(FULL_WIDTH).replace("\u3000", " ")
    # Cs: a lone surrogate (from bytes that were not UTF-8) cannot be encoded for the embedder.
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    return zhconv.convert(text, "zh-cn")


def check(question: str, max_chars: int) -> None:
    """Raise QuestionError when a normalised question cannot be asked."""
    if not question:
        raise QuestionError("问题是空的：请输入想问的内容，例如“全省有多少家养老机构？”")
    if len(question) > max_chars:
        raise QuestionError(f"问题太长（{len(question)} 字）：请控制在 {max_chars} 字以内，只问一件事")
    if not re.search(r"[\w\u3400-\u9fff]", question):
        raise QuestionError("没有看懂这个问题：请用文字描述想问的内容")


def is_follow_up(question: str) -> bool:
    """A short question that leans on the one before: 那农村呢？ 去年呢？ 增长了多少？"""
    q = question.strip().rstrip("？?。.!！ ").lower()
    if len(q) > FOLLOW_UP_MAX_CHARS:
        return False
    return q.startswith(FOLLOW_UP_START) or q.endswith(FOLLOW_UP_END) or not names_a_thing(q)


def names_a_thing(text: str) -> bool:
    """Whether the text has a noun of its own ("增长了多少" has none; "护理型床位" has; a one-character
    noun is too little to stand alone: "都有哪些省" leans on the question before)."""
    return any(flag.startswith(("n", "eng")) and len(word) > 1 and word not in STOPWORDS for word, flag in tag(text))


def prepare_query(
    raw: str, history: list[str] | tuple[str, ...] = (), *, max_chars: int = 300, terms: TermMap | None = None
) -> Query:
    """Normalise and check a question and build what retrieval searches with.

    A follow-up ("那农村呢？") is searched together with the earlier questions it refers
    back to, up to the last question that stood on its own.

    Raises:
        QuestionError: the question is empty, too long or has no words.
    """
    for text in (raw, *history):  # normalising only shrinks text: refuse a huge one before the work
        if len(text) > RAW_SLACK * max_chars:
            raise QuestionError(f"问题太长（{len(text)} 字）：请控制在 {max_chars} 字以内，只问一件事")
    question = normalize(raw)
    check(question, max_chars)
    past = [earlier for earlier in map(normalize, history) if earlier]
    context = context_questions(question, past)
    terms = terms or default_terms()
    base = " ".join([*context, question])
    expansion = terms.official_terms(base)
    search_text = " ".join([base, *expansion])
    focus = tuple(keywords(terms.strip_colloquial(question))) + tuple(terms.official_terms(question))
    return Query(question=question, history=tuple(past), search_text=search_text, focus=focus)


def context_questions(question: str, past: list[str]) -> list[str]:
    """The earlier questions a follow-up leans on, oldest first; none for a standalone one."""
    context: list[str] = []
    current = question
    for earlier in reversed(past):
        if not is_follow_up(current):
            break
        context.insert(0, earlier)
        current = earlier
    return context
