"""The verifier between an LLM and the reader: pure checks of an answer against its sources."""

import pytest

from bot.records import Citation, Hit
from bot.verify import answer_sentences, canonical_marks, chinese_value, verify
from index.records import DONE, PLAN, Chunk, DocMeta

META = DocMeta(
    doc_id="jilin-27",
    title="对省政协第十三届一次会议Z1号提案的答复",
    number="吉民议字〔2023〕27号",
    issuer="吉林省民政厅",
    date="2023-11-23",
    jurisdiction="吉林省",
)
DONE_TEXT = (
    "经过各级各方共同努力，全省现已建成各类养老机构1558家，总床位超过14.45万张，"
    "其中，护理型床位达到了8.31万张，占床位总数的58%。"
)
PLAN_TEXT = "下一步，推动出台《吉林省养老服务条例》，到2025年底实现街道综合养老服务中心全覆盖。"
REFERRALS = ["您可以拨打12345政务服务便民热线，或咨询当地民政部门。"]


def citation(n: int, text: str, status: str = DONE) -> Citation:
    chunk = Chunk(f"chunk-{n}", META.doc_id, n, text, "一、工作开展情况", status)
    return Citation(n, Hit(chunk, META, 1.0, n), (text,))


CITATIONS = (citation(1, DONE_TEXT), citation(2, PLAN_TEXT, PLAN))


def kinds(text: str, citations=CITATIONS) -> list[str]:
    return [problem.kind for problem in verify(text, citations, REFERRALS)]


def test_a_faithful_rephrasing_passes():
    text = (
        "根据吉林省民政厅的答复（吉民议字〔2023〕27号），全省已经建成1558家养老机构[1]。"
        "床位超过14.45万张，护理型床位占58%[1]。下一步计划到2025年底让街道都有综合养老服务中心[2]。"
    )
    assert verify(text, CITATIONS, REFERRALS) == []


def test_marks_after_the_full_stop_and_in_other_brackets_count():
    assert kinds("全省建成养老机构1558家。[1]床位超过14.45万张【1】。") == []


def test_the_same_number_in_other_words_is_grounded():
    assert kinds("全省有一千五百五十八家养老机构，护理型床位占百分之五十八[1]。") == []
    assert kinds("总床位超过144500张[1]。") == []


@pytest.mark.parametrize(
    "text, kind",
    [
        ("全省建成养老机构2000家[1]。", "number"),
        ("护理型床位占床位总数的68%[1]。", "number"),
        ("全省有两千家养老机构[1]。", "number"),
        ("总床位超过14.45张[1]。", "number"),  # the unit dropped changes the amount
        ("这份答复是2023年12月1日发出的[1]。", "date"),
        ("文号是吉民议字〔2022〕27号[1]。", "doc_number"),
    ],
)
def test_a_number_date_or_document_number_the_sources_lack_is_caught(text, kind):
    assert kind in kinds(text), f"{text!r} should be rejected as {kind}"


def test_a_number_must_stand_in_the_source_its_sentence_cites():
    assert "number" in kinds("全省建成养老机构1558家[2]。"), "1558 stands in [1], not in the cited [2]"


def test_every_sentence_needs_a_valid_citation():
    assert kinds("全省建成养老机构1558家[3]。") == ["citation"]
    assert kinds("全省建成养老机构1558家[1]。欢迎您再来咨询。") == ["uncited"]
    assert kinds("") == ["empty"]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("北京市建成养老机构1558家[1]。", "place"),
        ("青禾市也建成了养老机构[1]。", "place"),
        ("具体可以咨询长春市民政局[1]。", "place"),
        ("具体请到当地人社局咨询[1]。", "office"),
        ("可以拨打热线96110咨询[1]。", "phone"),
    ],
)
def test_a_place_office_or_phone_the_sources_do_not_name_is_caught(text, kind):
    assert kind in kinds(text), f"{text!r} should be rejected as {kind}"


def test_places_offices_and_phones_from_the_sources_or_referrals_pass():
    assert (
        kinds("吉林省民政厅说，全省建成养老机构1558家[1]。还可以拨打12345政务服务便民热线或咨询当地民政部门[1]。") == []
    )


def test_a_plan_told_as_done_is_caught():
    assert kinds("吉林省养老服务条例已经出台了[2]。") == ["plan_as_done"]
    assert kinds("吉林省将推动出台养老服务条例[2]。") == []


def test_sentences_keep_their_marks_and_list_bullets_are_ignored():
    assert answer_sentences("- 建成1558家。[1]\n- 床位14.45万张[1]。") == ["建成1558家[1]。", "床位14.45万张[1]。"]


def test_marks_are_made_canonical_for_the_interfaces():
    assert canonical_marks("建成1558家【1】，床位充足[1，2]。") == "建成1558家[1]，床位充足[1][2]。"


@pytest.mark.parametrize(
    "words, value",
    [("一千五百五十八", 1558), ("十四点四五万", 144500), ("两万", 20000), ("十三", 13), ("十四五", None)],
)
def test_chinese_numerals_are_read_strictly(words, value):
    assert chinese_value(words) == value


def test_common_words_with_place_suffixes_are_not_places():
    text = "本市城市社区和农村地区都有养老服务[1]。"
    assert "place" not in kinds(text, (citation(1, "城乡养老服务。"),)), "本市, 城市, 社区, 地区 name no place"
