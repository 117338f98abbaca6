"""Jieba tokenisation with a domain dictionary, and the BM25 index built from it.

Chunks are tokenised once, when they are indexed: a build stores a `LexicalIndex` (each chunk's
token counts, texts and the corpus's own terms) beside its index version, and opening the index
loads it instead of re-tokenising every chunk. BM25 is the Okapi formula of rank-bm25 on a
sparse matrix, so a query costs a few sparse columns, not a Python loop over the corpus.
"""

from __future__ import annotations

import io
import json
import logging
import marshal
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse

from index.records import Chunk
from index.sentences import split_sentences

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
    """The tokenizer of questions and chunks: the domain dictionary plus the corpus terms learned."""
    return _dictionary_tokenizer()


@cache
def _counting_jieba():
    """The domain dictionary alone, so corpus terms are counted the same way whatever was learned."""
    return _dictionary_tokenizer()


def _dictionary_tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    _load_cached_dictionary(tokenizer)
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, freq, flag = line.split()
            tokenizer.add_word(word, int(freq), flag)
    return tokenizer


def _load_cached_dictionary(tokenizer) -> None:
    """Load jieba's cached prefix dictionary the way jieba does, but from one read of the file.

    jieba unmarshals its cache (jieba.cache in the temp folder, ~500k words and prefixes) from
    the open file, which reads each string by a call to the file: 0.75–0.9 s; from bytes in memory
    it takes ~0.4 s. Without a readable cache, jieba builds the dictionary and writes the cache itself.
    """
    import jieba

    cache_file = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    if tokenizer.dictionary != jieba.DEFAULT_DICT or not cache_file.is_file():
        return
    try:
        tokenizer.FREQ, tokenizer.total = marshal.loads(cache_file.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return  # jieba's own initialize rebuilds it
    tokenizer.initialized = True


@cache
def _tagger():
    posseg = _posseg()

    class Tagger(posseg.POSTokenizer):
        """jieba's tagger over our tokenizer, with the word tags of jieba's dictionary read by one
        split of the file (0.2 s) instead of jieba's line-by-line parse (~1 s)."""

        def __init__(self, tokenizer) -> None:
            self.tokenizer = tokenizer
            self.word_tag_tab = _word_tags()

    return Tagger(_jieba())


def _posseg():
    """`jieba.posseg`, imported without the tagger it builds on import for jieba's default
    tokenizer (which parses the 349k-line dictionary; nothing here uses that tagger)."""
    import jieba

    if "jieba.posseg" not in sys.modules:
        jieba.dt.dictionary = os.devnull  # the import's tagger reads its word tags from here
        try:
            import jieba.posseg
        finally:
            jieba.dt.dictionary = jieba.DEFAULT_DICT
    return sys.modules["jieba.posseg"]


def _word_tags() -> dict[str, str]:
    """Word → part-of-speech flag from jieba's dictionary ("word freq flag" per line)."""
    import jieba

    fields = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME).read_text(encoding="utf-8").split()
    return dict(zip(fields[0::3], fields[2::3], strict=True))


def corpus_terms(texts: list[str]) -> list[str]:
    """Phrases the corpus itself uses as terms: 2–4 consecutive words (3–8 characters) that stand
    together in at least TERM_MIN_COUNT sentences, not edged by a function character, and not
    only ever part of one longer such phrase ("社区老年食堂", "适老化改造")."""
    counts: dict[str, int] = {}
    for text in texts:
        for sentence in split_sentences(text):
            words = _counting_jieba().lcut(sentence)
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


@dataclass(frozen=True)
class LexicalIndex:
    """What lexical search and the composer need of a corpus, computed once at build time.

    Rows are chunks in document and reading order; `counts` holds each row's BM25 token counts
    over `vocab`. `terms` are the corpus phrases the tokenizer learned before cutting them.
    """

    chunk_ids: list[str]
    doc_ids: list[str]
    ordinals: list[int]
    sections: list[str]
    statuses: list[str]
    kinds: list[str]
    texts: list[str]
    sentences: list[int]  # how many sentences each text has, for word weights (bot/weights.py)
    vocab: list[str]
    counts: sparse.csr_matrix
    terms: list[str]

    @classmethod
    def build(cls, chunks: list[Chunk], terms: list[str] | None = None) -> LexicalIndex:
        """Tokenise `chunks`; the corpus terms are counted from them unless given."""
        terms = corpus_terms([chunk.text for chunk in chunks]) if terms is None else terms
        learn_terms(terms)
        return cls.from_tokens(chunks, [bm25_tokens(chunk.embed_text) for chunk in chunks], terms)

    @classmethod
    def from_tokens(cls, chunks: list[Chunk], tokens: list[list[str]], terms: list[str]) -> LexicalIndex:
        vocab: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        for row in tokens:
            for token, count in Counter(row).items():
                indices.append(vocab.setdefault(token, len(vocab)))
                data.append(count)
            indptr.append(len(indices))
        counts = sparse.csr_matrix(
            (np.array(data, dtype=np.int32), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
            shape=(len(chunks), len(vocab)),
        )
        return cls(
            chunk_ids=[chunk.chunk_id for chunk in chunks],
            doc_ids=[chunk.doc_id for chunk in chunks],
            ordinals=[chunk.ordinal for chunk in chunks],
            sections=[chunk.section for chunk in chunks],
            statuses=[chunk.status for chunk in chunks],
            kinds=[chunk.kind for chunk in chunks],
            texts=[chunk.text for chunk in chunks],
            sentences=[len(split_sentences(chunk.text)) for chunk in chunks],
            vocab=list(vocab),
            counts=counts,
            terms=sorted(terms),
        )._in_reading_order()

    def updated(self, keep_docs: set[str], chunks: list[Chunk]) -> LexicalIndex:
        """This index with only the rows of `keep_docs`, plus `chunks` tokenised now.

        The corpus terms of the new chunks join the stored ones; `--rebuild` recounts them all.
        """
        terms = sorted(set(self.terms) | set(corpus_terms([chunk.text for chunk in chunks])))
        added = LexicalIndex.build(chunks, terms)
        vocab = {token: i for i, token in enumerate(self.vocab)}
        for token in added.vocab:
            vocab.setdefault(token, len(vocab))
        remap = np.array([vocab[token] for token in added.vocab], dtype=np.int32)
        moved = sparse.csr_matrix(
            (added.counts.data, remap[added.counts.indices], added.counts.indptr), shape=(added.size, len(vocab))
        )
        own = sparse.csr_matrix(
            (self.counts.data, self.counts.indices, self.counts.indptr), shape=(self.size, len(vocab))
        )
        stacked = LexicalIndex(
            *(getattr(self, name) + getattr(added, name) for name in ROW_FIELDS),
            vocab=list(vocab),
            counts=sparse.vstack([own, moved], format="csr"),
            terms=terms,
        )
        rows = [row for row, doc_id in enumerate(self.doc_ids) if doc_id in keep_docs] + list(
            range(self.size, stacked.size)
        )
        return stacked._rows(np.array(stacked._reading_order(rows), dtype=np.int64))  # one pass over the matrix

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    def chunk(self, row: int) -> Chunk:
        return Chunk(
            chunk_id=self.chunk_ids[row],
            doc_id=self.doc_ids[row],
            ordinal=self.ordinals[row],
            text=self.texts[row],
            section=self.sections[row],
            status=self.statuses[row],
            kind=self.kinds[row],
        )

    def chunks(self) -> Iterable[Chunk]:
        return (self.chunk(row) for row in range(self.size))

    def to_bytes(self) -> bytes:
        strings = {name: getattr(self, name) for name in (*ROW_FIELDS, "vocab", "terms")}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            strings=np.frombuffer(json.dumps(strings, ensure_ascii=False).encode(), dtype=np.uint8),
            indptr=self.counts.indptr,
            indices=self.counts.indices,
            data=self.counts.data,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> LexicalIndex:
        with np.load(io.BytesIO(raw)) as arrays:
            strings = json.loads(arrays["strings"].tobytes())
            if "sentences" not in strings:  # stored before sentence counts were
                strings["sentences"] = [len(split_sentences(text)) for text in strings["texts"]]
            shape = (len(strings["chunk_ids"]), len(strings["vocab"]))
            counts = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
        return cls(**strings, counts=counts)

    def _rows(self, rows: np.ndarray) -> LexicalIndex:
        """The index restricted to `rows`, in that order, with the tokens nothing uses dropped."""
        counts = self.counts[rows]
        used = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]))
        vocab = self.vocab
        if len(used) < counts.shape[1]:
            counts, vocab = counts[:, used].tocsr(), [self.vocab[column] for column in used]
        return LexicalIndex(
            *([getattr(self, name)[row] for row in rows] for name in ROW_FIELDS),
            vocab=vocab,
            counts=counts,
            terms=self.terms,
        )

    def _reading_order(self, rows: list[int]) -> list[int]:
        return sorted(rows, key=lambda row: (self.doc_ids[row], self.ordinals[row]))

    def _in_reading_order(self) -> LexicalIndex:
        order = self._reading_order(list(range(self.size)))
        if order == list(range(self.size)):
            return self
        return self._rows(np.array(order, dtype=np.int64))


ROW_FIELDS = ("chunk_ids", "doc_ids", "ordinals", "sections", "statuses", "kinds", "texts", "sentences")


class Bm25Index:
    """Okapi BM25 (rank-bm25's formula and constants) over a LexicalIndex, as a sparse matrix."""

    k1 = 1.5
    b = 0.75
    epsilon = 0.25

    def __init__(self, lexical: LexicalIndex) -> None:
        self.lexical = lexical
        self._columns = {token: i for i, token in enumerate(lexical.vocab)}
        lengths = np.asarray(lexical.counts.sum(axis=1)).ravel()
        average = lengths.mean() if lexical.size else 1.0
        norms = self.k1 * (1 - self.b + self.b * lengths / average)
        weights = lexical.counts.tocsc()  # transposed while still int32: half the bytes to move
        tf = weights.data.astype(np.float64)
        denominators = norms[weights.indices]
        denominators += tf
        tf *= self.k1 + 1
        tf /= denominators  # in place: tf (k1 + 1) / (tf + norm), without 80 MB temporaries at 100k chunks
        weights.data = tf
        self._weights = weights
        self._idf = self._inverse_frequencies(np.diff(self._weights.indptr))
        self.row_docs = np.asarray(lexical.doc_ids)  # for filters, as arrays
        self.row_statuses = np.asarray(lexical.statuses)

    @classmethod
    def from_chunks(cls, chunks: list[Chunk]) -> Bm25Index:
        return cls(LexicalIndex.build(chunks))

    def _inverse_frequencies(self, frequencies: np.ndarray) -> np.ndarray:
        """rank-bm25's idf: a negative one (a token in most chunks) becomes ε × the mean idf."""
        size = self.lexical.size
        idf = np.log(size - frequencies + 0.5) - np.log(frequencies + 0.5)
        if len(idf):
            idf[idf < 0] = self.epsilon * idf.mean()
        return idf

    def rows_with(self, token: str) -> np.ndarray | None:
        """The rows whose tokens include `token`, ascending; None when no row's do."""
        column = self._columns.get(token)
        if column is None:
            return None
        return self._weights.indices[self._weights.indptr[column] : self._weights.indptr[column + 1]]

    def scores(self, query: str) -> np.ndarray:
        """Each chunk's BM25 score for `query` (a repeated query token counts again)."""
        tokens = Counter(token for token in bm25_tokens(query) if token in self._columns)
        if not tokens:
            return np.zeros(self.lexical.size)
        columns = np.array([self._columns[token] for token in tokens], dtype=np.int64)
        weights = self._idf[columns] * np.array(list(tokens.values()), dtype=np.float64)
        return self._weights[:, columns] @ weights

    def top(self, query: str, k: int, admit: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The rows of the `k` best chunks with a positive score and their scores, best first; only
        rows where `admit` is true. Ties keep reading order, as a stable sort would."""
        scores = self.scores(query)
        if admit is not None:
            scores = np.where(admit, scores, 0.0)
        return [(int(row), float(scores[row])) for row in top_rows(scores, k)]


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the `k` highest positive scores, best first, ties in row order, without a full sort."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        threshold = np.partition(scores[positive], len(positive) - k)[len(positive) - k]
        positive = positive[scores[positive] >= threshold]
    return positive[np.lexsort((positive, -scores[positive]))][:k]
