"""Jieba tokenisation with a domain dictionary, and the BM25 index derived from stored chunks."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from rank_bm25 import BM25Okapi

from index.records import Chunk

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"
# Function words and question words that say nothing about what is asked.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "有",
        "和",
        "与",
        "及",
        "等",
        "对",
        "为",
        "将",
        "也",
        "都",
        "就",
        "把",
        "被",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "嘛",
        "哦",
        "哪",
        "哪些",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "多少",
        "几",
        "个",
        "家",
        "张",
        "户",
        "人",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "请问",
        "请",
        "能",
        "会",
        "可以",
        "要",
        "想",
        "问",
        "一下",
        "知道",
        "告诉",
        "一个",
        "没有",
        "还",
        "又",
        "吗？",
        "呢？",
        "啥",
        "咋",
        "谁",
        "哪里",
        "哪儿",
        "现在",
        "目前",
        "一些",
        "有没有",
        "是不是",
        "能不能",
        "给",
        "让",
        "跟",
        "从",
        "到",
        "上",
        "下",
        "里",
        "中",
        "多",
        "少",
        "大",
        "小",
        "好",
        "政府",
        "省里",
        "国家",
    ]
)
TOKEN = re.compile(r"[\u3400-\u9fffA-Za-z0-9.%]+")
CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# A corpus term neither starts nor ends with a function character ("的养老", "养老服务和").
EDGE_CHARS = frozenset("的了和与及在对为等是将把被也都就并而或其之以于由从向到给个各每该此这那有中上下")
TERM_MIN_COUNT = 3  # sentences a phrase must stand in to become a term
TERM_LENGTHS = range(3, 9)
TERM_WORDS = range(2, 5)
CJK_WORD = re.compile(r"[\u3400-\u9fff]+")
TERM_WORD_FREQ = 10  # as rare as a user-dictionary word: joins a phrase, never splits a common word


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, freq, flag = line.split()
            tokenizer.add_word(word, int(freq), flag)
    return tokenizer


@cache
def _tagger():
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_jieba())


def corpus_terms(texts: list[str]) -> list[str]:
    """Phrases the corpus itself uses as terms: 2–4 consecutive words (3–8 characters) that stand
    together in at least TERM_MIN_COUNT sentences, not edged by a function character, and not
    only ever part of one longer such phrase ("社区老年食堂", "适老化改造")."""
    from index.sentences import split_sentences

    counts: dict[str, int] = {}
    for text in texts:
        for sentence in split_sentences(text):
            words = _jieba().lcut(sentence)
            grams = {
                "".join(words[i : i + n])
                for n in TERM_WORDS
                for i in range(len(words) - n + 1)
                if all(CJK_WORD.fullmatch(word) for word in words[i : i + n])
            }
            for gram in grams:
                counts[gram] = counts.get(gram, 0) + 1
    frequent = {
        gram: count
        for gram, count in counts.items()
        if count >= TERM_MIN_COUNT
        and len(gram) in TERM_LENGTHS
        and gram[0] not in EDGE_CHARS
        and gram[-1] not in EDGE_CHARS
    }
    return sorted(
        gram
        for gram, count in frequent.items()
        if not any(gram in longer and frequent[longer] == count for longer in frequent if len(longer) > len(gram))
    )


def learn_terms(terms: list[str]) -> None:
    """Teach the tokenizer the corpus's own terms, so both the index and the questions cut them whole."""
    tokenizer = _jieba()
    for term in terms:
        if tokenizer.FREQ.get(term, 0) == 0:
            tokenizer.add_word(term, freq=TERM_WORD_FREQ, tag="n")  # the tagger picks the tag up on its next cut


def tag(text: str) -> list[tuple[str, str]]:
    """Words with their jieba part-of-speech flags (ns: place, n: noun, v: verb …)."""
    return [(pair.word, pair.flag) for pair in _tagger().lcut(text)]


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens, lower-cased, without punctuation and stopwords."""
    tokens = _jieba().lcut_for_search(text.lower())
    return [t for t in tokens if TOKEN.fullmatch(t) and t not in STOPWORDS]


def keywords(text: str) -> list[str]:
    """The content words of a question, longest segmentation (not search mode), in order."""
    tokens = _jieba().lcut(text.lower())
    seen: dict[str, None] = {}
    for token in tokens:
        if TOKEN.fullmatch(token) and token not in STOPWORDS and not token.isdigit():
            seen.setdefault(token)
    return list(seen)


def bm25_tokens(text: str) -> list[str]:
    """Words plus overlapping character pairs of Chinese runs, so a typo'd word still matches."""
    bigrams = [run[i : i + 2] for run in CJK_RUN.findall(text) for i in range(len(run) - 1)]
    return tokenize(text) + bigrams


class Bm25Index:
    """BM25 over chunk text with its breadcrumb; rebuilt from Chroma on load."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        learn_terms(corpus_terms([chunk.text for chunk in chunks]))
        corpus = [bm25_tokens(chunk.embed_text) for chunk in chunks]
        self._bm25 = BM25Okapi(corpus) if chunks else None

    def search(self, query: str, k: int, admit: Callable[[Chunk], bool] | None = None) -> list[tuple[Chunk, float]]:
        """The `k` best chunks with a positive score, best first; only chunks `admit` accepts."""
        query_tokens = bm25_tokens(query)
        if self._bm25 is None or not query_tokens:
            return []
        scores = self._bm25.get_scores(query_tokens)
        candidates = range(len(scores)) if admit is None else [i for i, c in enumerate(self.chunks) if admit(c)]
        ranked = sorted(candidates, key=lambda i: scores[i], reverse=True)[:k]
        return [(self.chunks[i], float(scores[i])) for i in ranked if scores[i] > 0]
