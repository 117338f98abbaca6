"""How much a word weighs: its rarity among the sentences of the indexed corpus."""

from __future__ import annotations

import math

import numpy as np

from index.sentences import split_sentences


class SentenceIdf:
    """Inverse document frequency of words over every sentence of the corpus.

    A word's sentences are counted once per word by splitting one string of all sentences at it
    (in C) and placing the matches among the sentence ends (numpy): no Python loop over the corpus.
    """

    SEPARATOR = "\x00"  # no word holds it, so no match spans two sentences
    CACHE_SIZE = 100_000  # words remembered; a long-running server's new words start over past it

    def __init__(self, texts: list[str]):
        sentences = [sentence for text in texts for sentence in split_sentences(text)]
        self.size = len(sentences)
        self.ceiling = math.log(1 + self.size)  # the weight of a word no sentence holds
        self._joined = self.SEPARATOR.join(sentences)
        self._ends = np.cumsum([len(sentence) + 1 for sentence in sentences])
        self._cache: dict[str, float] = {}

    def __call__(self, token: str) -> float:
        if token not in self._cache:
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            containing = self.containing(token)
            self._cache[token] = math.log(1 + self.size / (1 + containing)) if containing else 0.0
        return self._cache[token]

    def containing(self, token: str) -> int:
        """How many sentences hold `token`."""
        if not token:
            return self.size
        parts = self._joined.split(token)
        if len(parts) == 1:
            return 0
        matches = np.cumsum([len(part) for part in parts[:-1]]) + np.arange(len(parts) - 1) * len(token)
        holding = np.searchsorted(self._ends, matches, side="right")  # ascending: count the distinct ones
        return int(np.count_nonzero(np.diff(holding))) + 1
