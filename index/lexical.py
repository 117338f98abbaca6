"""The BM25 index of a corpus, built from its jieba tokens (zhtext.tokens).

Chunks are tokenised once, when they are indexed: a build stores a `LexicalIndex` (each chunk's
token counts, texts and the corpus's own terms) beside its index version, and opening the index
loads it instead of re-tokenising every chunk. BM25 is the Okapi formula of rank-bm25 on a
sparse matrix, so a query costs a few sparse columns, not a Python loop over the corpus.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from index.records import Chunk
from zhtext.sentences import split_sentences
from zhtext.tokens import corpus_terms, learn_terms, tokenize

CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")


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
