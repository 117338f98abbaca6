import math
import re

import numpy as np
import pytest

from bot.weights import SentenceIdf
from index.lexical import Bm25Index, LexicalIndex, bm25_tokens, top_rows
from index.records import Chunk
from zhtext.sentences import split_sentences

TEXTS = {
    "a": ["全省建成社区老年食堂136个。", "养老服务体系不断完善，养老机构床位增加。"],
    "b": ["农村养老服务设施覆盖率达到百分之六十。", "社区老年食堂运营补贴每年500万元。", "开展适老化改造。"],
    "c": ["养老护理员培训3000人次。"],
}


def chunks_of(doc_ids=("a", "b", "c")) -> list[Chunk]:
    return [
        Chunk(f"{doc_id}-{i}", doc_id, i, text, section="一、工作情况", status="done")
        for doc_id in doc_ids
        for i, text in enumerate(TEXTS[doc_id])
    ]


def okapi_scores(corpus: list[list[str]], query: list[str], k1=1.5, b=0.75, epsilon=0.25) -> list[float]:
    """BM25Okapi as rank-bm25 0.2.2 defines it, written out plainly as the reference."""
    frequencies = {}
    for document in corpus:
        for word in set(document):
            frequencies[word] = frequencies.get(word, 0) + 1
    idf = {word: math.log(len(corpus) - n + 0.5) - math.log(n + 0.5) for word, n in frequencies.items()}
    floor = epsilon * sum(idf.values()) / len(idf)
    idf = {word: value if value >= 0 else floor for word, value in idf.items()}
    average = sum(len(document) for document in corpus) / len(corpus)

    def term(q: str, document: list[str]) -> float:
        tf = document.count(q)
        return idf.get(q, 0) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(document) / average))

    return [sum(term(q, document) for q in query) for document in corpus]


@pytest.mark.parametrize("query", ["社区老年食堂有多少个", "养老服务", "养老 养老 护理员", "无关的话"])
def test_sparse_bm25_scores_as_rank_bm25_does(query):
    chunks = chunks_of()
    index = Bm25Index(LexicalIndex.build(chunks))
    expected = okapi_scores([bm25_tokens(chunk.embed_text) for chunk in chunks], bm25_tokens(query))
    assert np.allclose(index.scores(query), expected), "the Okapi formula, token for token"


def test_top_rows_are_the_best_positive_scores_ties_in_row_order():
    scores = np.array([0.0, 2.0, 1.0, 2.0, -1.0, 3.0, 1.0])
    assert top_rows(scores, 3).tolist() == [5, 1, 3]
    assert top_rows(scores, 10).tolist() == [5, 1, 3, 2, 6], "no zero or negative score"
    assert top_rows(scores, 4).tolist() == [5, 1, 3, 2], "a tie at the cut keeps the earlier row"


def test_search_honours_the_row_mask():
    index = Bm25Index(LexicalIndex.build(chunks_of()))
    admit = np.array([doc_id == "b" for doc_id in index.lexical.doc_ids])
    found = index.top("社区老年食堂", 5, admit)
    assert found and {index.lexical.doc_ids[row] for row, _ in found} == {"b"}


def test_a_lexical_index_survives_storage():
    lexical = LexicalIndex.build(chunks_of())
    restored = LexicalIndex.from_bytes(lexical.to_bytes())
    assert list(restored.chunks()) == list(lexical.chunks()) and restored.vocab == lexical.vocab
    assert (restored.counts != lexical.counts).nnz == 0 and restored.terms == lexical.terms


def test_an_update_tokenises_only_the_new_chunks_and_scores_as_a_fresh_build():
    old = LexicalIndex.build(chunks_of(("a", "c")))
    updated = old.updated({"c"}, chunks_of(("b",)))
    fresh = LexicalIndex.build(chunks_of(("b", "c")), terms=updated.terms)
    assert [c.chunk_id for c in updated.chunks()] == [c.chunk_id for c in fresh.chunks()], "reading order"
    for query in ("社区老年食堂", "养老护理员", "养老机构床位"):
        assert np.allclose(Bm25Index(updated).scores(query), Bm25Index(fresh).scores(query)), query
    assert "床位" not in updated.vocab, "the removed document's tokens are gone"


def test_sentence_idf_counts_the_sentences_holding_a_word():
    texts = [text for doc in TEXTS.values() for text in doc] + ["养老养老。养老！", ""]
    sentences = [s for text in texts for s in split_sentences(text)]
    idf = SentenceIdf(texts)
    for word in ("养老", "社区老年食堂", "元", "不存在的词", "。养"):
        assert idf.containing(word) == sum(word in s for s in sentences), word
    assert idf("不存在的词") == 0.0 and idf("养老") == math.log(1 + len(sentences) / (1 + 5))


WORDS = ("养老", "社区老年食堂", "元", "不存在的词", "。养", "3000", "培训3000人次", "食堂运营", "GDP")


def test_sentence_idf_from_the_lexical_postings_counts_exactly_what_a_full_scan_counts():
    chunks = [*chunks_of(), Chunk("d-0", "d", 0, "养老养老。养老！GDP增长。", section="", status="done")]
    lexical = LexicalIndex.build(chunks)
    scan = SentenceIdf(lexical.texts)
    looked_up = SentenceIdf(lexical.texts, lexical.sentences, Bm25Index(lexical).rows_with)
    assert looked_up.size == scan.size == sum(len(split_sentences(c.text)) for c in chunks)
    for word in WORDS:
        assert looked_up.containing(word) == scan.containing(word), word
    assert len(looked_up.candidates("不存在的词")) == 0, "a word with a pair no chunk has is looked for nowhere"
    assert len(looked_up.candidates("社区老年食堂")) == 2, "only the chunks holding all its pairs"


def test_sentence_idf_estimates_a_common_word_from_a_sample_of_its_chunks():
    texts = [
        f"第{i}条：养老服务。" + ("社区老年食堂。" if i % 3 == 0 else "") + ("助浴上门。" if i % 1000 == 7 else "")
        for i in range(3000)
    ]
    chunks = [Chunk(f"x-{i}", "x", i, text, section="", status="done") for i, text in enumerate(texts)]
    lexical = LexicalIndex.build(chunks)
    idf = SentenceIdf(lexical.texts, lexical.sentences, Bm25Index(lexical).rows_with)
    idf.SAMPLE = 300
    assert idf.containing("养老服务") == 3000, "every chunk, counted from a sample"
    assert abs(idf.containing("社区老年食堂") - 1000) <= 20, idf.containing("社区老年食堂")
    assert idf.containing("助浴上门") == 3, "a rare word is counted exactly"


def test_sentence_idf_knows_which_words_the_corpus_uses_as_a_scan_of_its_text_does():
    chunks = [*chunks_of(), Chunk("d-0", "d", 0, "GDP增长。养老", section="三、APP服务", status="done")]
    lexical = LexicalIndex.build(chunks)
    idf = SentenceIdf(lexical.texts, lexical.sentences, Bm25Index(lexical).rows_with, lexical.sections)
    corpus = "\n".join(f"{c.section}\n{c.text}" for c in chunks).lower()
    for word in (*WORDS, "gdp", "gd", "app", "工作情况", "三、app", "床位增加", "床位减少", "x"):
        whole = re.fullmatch(r"[a-z][a-z0-9]*", word.lower())
        expected = bool(re.search(rf"(?<![a-z]){word.lower()}(?![a-z])", corpus)) if whole else word.lower() in corpus
        assert idf.uses(word) == expected, word
