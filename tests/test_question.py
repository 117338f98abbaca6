import pytest

from bot.errors import QuestionError
from bot.question import TermMap, context_questions, default_terms, is_follow_up, normalize, prepare_query


def test_normalize_cleans_invisible_and_full_width_characters():
    assert normalize("全省有\u200b多少家\u00ad养老机构？\x07") == "全省有多少家养老机构？"
    assert normalize("２０２３年　ＡＢＣ") == "2023年 ABC"
    assert normalize("  护理型\n\t床位  ") == "护理型 床位"


def test_normalize_converts_traditional_to_simplified():
    assert normalize("全省有多少家養老機構？") == "全省有多少家养老机构？"
    assert normalize("護理型床位佔比") == "护理型床位占比"


@pytest.mark.parametrize(
    "raw, message",
    [("", "空的"), ("   \u200b\t", "空的"), ("？？？！！", "没有看懂"), ("养" * 301, "太长")],
)
def test_bad_questions_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(QuestionError, match=message):
        prepare_query(raw, max_chars=300)


def test_limit_is_counted_after_normalisation():
    assert prepare_query("养" * 300 + "\u200b" * 50, max_chars=300).question == "养" * 300


def test_follow_ups_are_detected():
    assert is_follow_up("那农村呢？") and is_follow_up("去年呢") and is_follow_up("那么城市")
    assert is_follow_up("增长了多少？") and is_follow_up("今年还要建多少个？")  # no noun of their own
    assert not is_follow_up("全省有多少家养老机构？") and not is_follow_up("护理型床位")
    assert not is_follow_up("农村养老服务改革试点在哪些地方开展，安排了多少资金呢？")


def test_follow_up_chains_back_to_the_last_standalone_question():
    past = ["适老化改造完成了多少户？", "全省有多少家养老机构？", "那床位呢？"]
    assert context_questions("护理型的呢？", past) == ["全省有多少家养老机构？", "那床位呢？"]
    assert context_questions("婚俗改革做了什么？", past) == []


def test_follow_up_is_searched_with_its_context_but_focuses_on_itself():
    query = prepare_query("那农村呢？", ["全省有多少家养老机构？"])
    assert query.search_text.startswith("全省有多少家养老机构？ 那农村呢？")
    assert "农村" in query.focus and "养老机构" not in query.focus


def test_term_map_adds_official_terms_and_drops_colloquial_focus():
    query = prepare_query("我妈一个人住，有人上门看望吗？")
    assert "独居" in query.search_text and "巡访" in query.search_text
    assert "独居" in query.focus


def test_term_map_file_format(tmp_path):
    path = tmp_path / "terms.tsv"
    path.write_text("# comment\n养老院\t养老机构\nNursing Home\t养老机构 护理\n", encoding="utf-8")
    terms = TermMap.load(path)
    assert terms.official_terms("想找个nursing home") == ["养老机构", "护理"]
    assert terms.official_terms("养老机构") == []  # already official: nothing to add
    assert terms.strip_colloquial("养老院在哪").strip() == "在哪"


def test_shipped_term_map_covers_the_issue_examples():
    terms = default_terms()
    for colloquial, official in [
        ("一个人住", "独居"),
        ("老年痴呆", "失智"),
        ("养老院", "养老机构"),
        ("彩礼", "婚俗改革"),
        ("上门看望", "巡访"),
    ]:
        assert official in terms.official_terms(colloquial), colloquial


def test_a_malformed_data_line_names_its_file_and_line(tmp_path):
    path = tmp_path / "terms.tsv"
    path.write_text("养老院\t养老机构\n老年痴呆 失智\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"terms.tsv:2"):
        TermMap.load(path)


def test_lone_surrogates_are_dropped():
    query = prepare_query("\ud800养老机构\udfff有多少", ["\udc80床位"])
    assert query.question == "养老机构 有多少" and query.history == ("床位",)
    query.search_text.encode("utf-8")  # what the embedder needs


def test_a_huge_question_or_history_item_is_refused_before_any_work():
    with pytest.raises(QuestionError, match="问题太长"):
        prepare_query("养" * 10_000_000, max_chars=300)
    with pytest.raises(QuestionError, match="问题太长"):
        prepare_query("床位呢？", ["养" * 500_000], max_chars=300)


def test_a_one_character_noun_does_not_make_a_question_stand_alone():
    from bot.question import is_follow_up

    assert is_follow_up("都有哪些省？")
    assert not is_follow_up("护理型床位有多少张？")
