"""How much a word weighs: its rarity among the sentences of the indexed corpus."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from zhtext.sentences import split_sentences

CJK_PAIR = re.compile(r"[\u3400-\u9fff]{2}")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
LATIN = re.compile(r"[a-z][a-z0-9]*")  # a Latin word, lower-cased: found only whole
ALNUM_RUN = re.compile(r"[a-z0-9]+")
# A word holding any of these may span two sentences, so one occurrence is not one sentence.
SENTENCE_CHARS = re.compile(r"[\s。！？!?.]")

# Rows (chunks) whose tokens include a token, in ascending order; None when no row has it.
Postings = Callable[[str], np.ndarray | None]


class SentenceIdf:
    """Inverse document frequency of words over every sentence of the corpus.

    Per-word work does not grow with the corpus. A word's sentences are looked for only in the
    chunks holding every character pair of it (the lexical index's postings, so a word none of
    whose pairs the corpus has costs nothing): exactly, while those are at most SAMPLE chunks;
    past that, in an even sample of them, scaled up — a word that common weighs little, and a
    few percent on its count moves its weight by less than that. A word with no character pair
    and no Latin token of its own (第17条, 元) is looked for in every chunk, so in a corpus of more
    than SAMPLE chunks it is estimated from a sample, and a rare one may read as absent. `uses`
    answers from the same postings whether the corpus uses a word at all (the refusal judge's
    "unknown word"), exactly.
    """

    SAMPLE = 1_000  # chunks counted exactly per word
    CACHE_SIZE = 100_000  # words remembered; a long-running server's new words start over past it
    SPLITS = 20_000  # chunks whose sentences are remembered (a common word's sample is met again)

    def __init__(
        self,
        texts: Sequence[str],
        sentences: Sequence[int] | None = None,
        postings: Postings | None = None,
        sections: Sequence[str] | None = None,
    ):
        """
        Args:
            texts: the chunks' texts.
            sentences: how many sentences each text has (`split_sentences`); counted here if not given.
            postings: the rows holding a token; without it every row is a candidate.
            sections: the chunks' headings, which `uses` also looks in.
        """
        self.texts = texts
        self.sections = sections or [""] * len(texts)
        self._used: dict[str, bool] = {}
        self._joined: str | None = None
        self._latin: set[str] | None = None
        counts = [len(split_sentences(text)) for text in texts] if sentences is None else sentences
        self.size = int(sum(counts))
        self.ceiling = math.log(1 + self.size)  # the weight of a word no sentence holds
        self._rows = np.arange(len(texts), dtype=np.int64)
        self._postings = postings
        self._cache: dict[str, float] = {}
        self._split = lru_cache(maxsize=self.SPLITS)(lambda row: split_sentences(self.texts[row]))

    def __call__(self, token: str) -> float:
        if token not in self._cache:
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            containing = self.containing(token)
            self._cache[token] = math.log(1 + self.size / (1 + containing)) if containing else 0.0
        return self._cache[token]

    def containing(self, token: str) -> int:
        """How many sentences hold `token` (estimated past SAMPLE candidate chunks)."""
        if not token:
            return self.size
        rows = self.candidates(token)
        if len(rows) <= self.SAMPLE:
            return self.count(token, rows)
        picked = rows[np.linspace(0, len(rows) - 1, self.SAMPLE).astype(np.int64)]
        return round(self.count(token, picked) * len(rows) / self.SAMPLE)

    def candidates(self, token: str) -> np.ndarray:
        """The rows that may hold `token`: those with all its Chinese character pairs, or with it as
        a whole Latin word; every row when neither applies."""
        if self._postings is None:
            return self._rows
        pairs = {token[i : i + 2] for i in range(len(token) - 1) if CJK_PAIR.fullmatch(token[i : i + 2])}
        if not pairs:
            found = self._postings(token.lower()) if LATIN_WORD.fullmatch(token) else None
            return self._rows if found is None else found
        lists = [self._postings(pair) for pair in pairs]
        if any(rows is None for rows in lists):
            return self._rows[:0]
        lists.sort(key=len)
        rows = lists[0]
        for more in lists[1:]:
            rows = np.intersect1d(rows, more, assume_unique=True)
        return rows

    def count(self, token: str, rows: np.ndarray) -> int:
        """Sentences of `rows` holding `token`; a text holding it once holds it in one sentence."""
        spans = bool(SENTENCE_CHARS.search(token))
        total = 0
        for row in rows.tolist():
            text = self.texts[row]
            found = text.count(token)
            if found > 1 or (found and spans):
                found = sum(token in sentence for sentence in self._split(row))
            total += found
        return total

    def uses(self, word: str) -> bool:
        """Whether a chunk's text or heading holds `word`, case-insensitively; a Latin word (gdp)
        only whole, not inside a longer one (gdpr). Looked for only in the candidate chunks."""
        word = word.lower()
        if word not in self._used:
            if len(self._used) >= self.CACHE_SIZE:
                self._used.clear()
            self._used[word] = self._find(word)
        return self._used[word]

    def _find(self, word: str) -> bool:
        if LATIN.fullmatch(word):  # found whole, so inside one of the corpus's letter-and-digit runs
            whole = re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])")
            return any(whole.search(run) for run in self._latin_runs())
        rows = self.candidates(word)
        if len(rows) == len(self.texts):  # nothing narrowed it: one look through the whole corpus
            return word in self._corpus()
        return any(word in f"{self.sections[row]}\n{self.texts[row]}".lower() for row in rows.tolist())

    def _corpus(self) -> str:
        """Every heading and text, lower-cased, in one string (made once, when first needed)."""
        if self._joined is None:
            pairs = zip(self.sections, self.texts, strict=True)
            self._joined = "\n".join(f"{s}\n{t}" if s else t for s, t in pairs).lower()
        return self._joined

    def _latin_runs(self) -> set[str]:
        """The distinct runs of Latin letters and digits in the corpus, lower-cased (made once)."""
        if self._latin is None:
            self._latin = {run for text in (*self.sections, *self.texts) for run in ALNUM_RUN.findall(text.lower())}
        return self._latin
