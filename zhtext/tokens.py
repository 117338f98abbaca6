"""Chinese words: jieba tokenising with a domain dictionary, part-of-speech tags, stopwords, and
the corpus's own terms taught to the tokenizer. Pure functions of text, over one cached tokenizer."""

from __future__ import annotations

import logging
import marshal
import os
import re
import sys
import tempfile
from functools import cache
from pathlib import Path

from zhtext.sentences import split_sentences

DATA = Path(__file__).parent / "data"
USER_DICT = DATA / "userdict.txt"
STOPWORDS_FILE = DATA / "stopwords.txt"


@cache
def read_words(path: Path) -> frozenset[str]:
    """A word list: whitespace-separated words; lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


# Function words and question words that say nothing about what is asked.
STOPWORDS = read_words(STOPWORDS_FILE)
TOKEN = re.compile(r"[\u3400-\u9fffA-Za-z0-9.%]+")
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
