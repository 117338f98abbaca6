"""zhtext.sentences: sentences and clauses of Chinese text, never cut inside a number."""

from zhtext.sentences import split_long, split_sentences


def test_sentence_split_keeps_decimals_and_splits_ascii_full_stop():
    assert split_sentences("增长23.5%.主要用于养老。比上年增加0.4亿元。") == [
        "增长23.5%.",
        "主要用于养老。",
        "比上年增加0.4亿元。",
    ]


def test_long_sentence_is_cut_at_clauses_not_numbers():
    sentence = "，".join(f"第{i}项资金达到{i}.5亿元" for i in range(1, 30)) + "。"
    pieces = split_long(sentence, 60)
    assert "".join(pieces) == sentence
    assert all(len(p) <= 60 for p in pieces)
    assert all(not p[0].isdigit() and p[0] != "." for p in pieces)
