"""zhtext.tokens: jieba words with the domain dictionary, stopwords and the corpus's own terms."""

from zhtext.tokens import STOPWORDS, _load_cached_dictionary, corpus_terms, keywords


def test_the_cached_dictionary_loads_as_jieba_itself_loads_it():
    import jieba

    reference = jieba.Tokenizer()
    reference.initialize()  # writes jieba's cache when there is none
    loaded = jieba.Tokenizer()
    _load_cached_dictionary(loaded)
    assert loaded.initialized, "jieba's cache was there to load"
    assert loaded.total == reference.total and loaded.FREQ == reference.FREQ


def test_without_a_cache_jieba_builds_the_dictionary_itself(tmp_path):
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path)
    _load_cached_dictionary(tokenizer)
    assert not tokenizer.initialized and not tokenizer.FREQ, "nothing to load: jieba's initialize does it"


def test_corpus_terms_are_whole_phrases_the_corpus_repeats(seed_text):
    terms = corpus_terms([seed_text])
    assert "社区居家养老服务" in terms and "养老服务体系" in terms
    assert not any(term[0] in "的和与" or term[-1] in "的和与" for term in terms)
    assert corpus_terms(["只出现一次的短语。"]) == []


def test_stopwords_are_read_from_their_data_file_and_left_out_of_keywords():
    assert {"的", "吗", "什么", "请问"} <= STOPWORDS and not any(word.startswith("#") for word in STOPWORDS)
    assert keywords("请问全省的养老机构有多少家？") == ["全省", "养老机构"]
