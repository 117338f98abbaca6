"""The coverage judge on the seed reply: what a question asks, and which sentence says it."""

import pytest

from bot.answer import ExtractiveComposer
from bot.coverage import CoverageJudge, CoverageParams, question_terms
from bot.datafiles import say
from bot.question import default_terms, prepare_query
from index.chunking import chunk_document
from index.parsing import parse_document
from tests.conftest import hits_for, judge_of
from yinling.settings import ChunkingParams


@pytest.fixture
def judge(seed):
    return judge_of(seed[1])


def answer(judge, seed, question, *needles, history=()):
    return ExtractiveComposer(judge).compose(prepare_query(question, history), hits_for(seed, *needles))


def words(question, judge=None):
    terms = judge.asked_terms(question) if judge else question_terms(question, default_terms())
    return [term.alternatives[0] for term in terms]


def test_a_follow_up_must_hold_its_own_word_not_only_the_earlier_ones(judge, seed):
    reply = answer(
        judge,
        seed,
        "那农村呢？",
        "136个社区老年食堂",
        "拟争取将建设100个社区老年食堂",
        "64个农村养老大院",
        history=["城市社区建了多少老年食堂？"],
    )
    assert not reply.refused and "64个农村养老大院" in reply.text, reply.text
    assert "136个" not in reply.text


def test_how_a_question_is_asked_is_not_what_it_asks_about():
    assert "包括" not in words("吉养天年品牌系列活动包括什么？")
    assert not {"能不能", "不能"} & set(words("小区附近能不能建个养老服务站？"))
    assert "安排" not in words("老人冬天去南方住，省里在这方面有什么安排？")


def test_an_official_word_already_in_a_colloquial_group_is_not_counted_twice():
    terms = question_terms("巡访走访了多少户老年人家庭？", default_terms())
    holding = [term for term in terms if "巡访" in term.alternatives]
    assert len(holding) == 1, [term.alternatives for term in terms]


def test_a_referral_topic_is_answered_when_a_sentence_says_most_of_the_question(judge, seed):
    said = answer(judge, seed, "养老机构用水用电是按居民价格收费吗？", "用电、用水", "1558家")
    unsaid = answer(judge, seed, "养老院一个月收费多少钱？", "用电、用水", "1558家")
    assert not said.refused and "居民生活类价格" in said.text
    assert unsaid.refused and "该机构" in unsaid.text


def test_a_year_the_sentences_do_not_speak_of_is_not_answered_by_another_years_figure(judge, seed):
    needles = ("136个社区老年食堂", "拟争取将建设100个社区老年食堂")
    later = answer(judge, seed, "2025年全省要建多少个社区老年食堂？", *needles)
    planned = answer(judge, seed, "2024年全省要建多少个社区老年食堂？", *needles)
    assert later.refused, later.text
    assert not planned.refused and "100个社区老年食堂" in planned.text


def test_an_age_the_sentences_do_not_speak_of_weighs_against(judge, seed):
    reply = answer(judge, seed, "80岁以上老人每月有多少高龄补贴？", "2.1亿元", "8类老年人开展入户巡访", "补人头")
    assert reply.refused, reply.text


def test_a_clock_time_is_not_answered_by_a_year(judge, seed):
    reply = answer(judge, seed, "社区老年食堂几点开饭？", "136个社区老年食堂", "拟争取将建设100个社区老年食堂")
    assert reply.refused, reply.text


def test_a_plan_that_says_the_asked_thing_beats_done_work_that_barely_touches_it(judge, seed):
    reply = answer(judge, seed, "老年痴呆的老人养老院能照顾吗？", "失智老年人照护专区", "主要用于支持完善社区服务功能")
    assert "失智老年人照护专区" in reply.text and say("plan_label") in reply.text, reply.text


def test_a_verb_the_corpus_never_uses_weighs_as_much_as_an_unknown_noun(judge, seed):
    reply = answer(judge, seed, "被养老诈骗骗走的钱能追回来吗？", "打击整治养老诈骗专项行动", "无证无照养老机构清理")
    assert reply.refused, reply.text


def test_a_determiner_is_not_a_word_the_answer_must_hold(judge, seed):
    assert "上个" not in words("退休了想上个老年大学学点东西，有地方吗？")
    reply = answer(judge, seed, "退休了想上个老年大学学点东西，有地方吗？", "吉林省社区老年大学")
    assert not reply.refused and "老年大学" in reply.text, reply.text


def test_a_colloquial_word_inside_a_word_of_the_corpus_is_that_word(judge):
    assert words("全省离婚率是多少？", judge) == ["全省", "离婚率"]
    assert words("老年大学一学期学费多少？", judge) == ["大学", "学期", "学费"]  # 老年大学 is one of 大学's wordings
    assert words("想离婚了，民政能调解吗？", judge)[0] == "离婚"  # standing alone it is the colloquial word


def test_documents_to_bring_are_referred_even_beside_sentences_on_the_same_office(judge, seed):
    reply = answer(judge, seed, "结婚登记需要带哪些证件？", "强化结婚登记颁证", "婚俗改革实验区")
    assert reply.refused and "便民服务中心" in reply.text, reply.text


def test_an_amount_asked_per_unit_is_not_answered_by_a_total(judge, seed):
    reply = answer(judge, seed, "适老化改造每户补贴多少钱？", "15632户", "24.6亿元", "2.1亿元")
    assert reply.refused, reply.text


def test_the_asked_fact_is_found_in_the_fifth_chunk(judge, seed):
    reply = answer(
        judge,
        seed,
        "那农村呢？",
        "主要用于支持完善社区服务功能",
        "拟争取将建设100个社区老年食堂",
        "136个社区老年食堂",
        "婚俗改革实验区",
        "64个农村养老大院",
        history=["城市社区建了多少老年食堂？"],
    )
    assert not reply.refused and "64个农村养老大院" in reply.text, reply.text


def test_an_a_not_a_question_asks_about_its_a(judge):
    assert "好吃" in words("社区老年食堂的饭菜好不好吃？", judge)
    assert not {"不能", "能不能", "有没有"} & set(words("附近能不能有个老年食堂，有没有？", judge))


def test_a_name_is_not_answered_by_a_figure(judge, seed):
    reply = answer(judge, seed, "全省最大的养老机构叫什么名字？", "3311张")
    assert reply.refused, reply.text


@pytest.fixture
def songling():
    """The fictional 松岭县 reply on the old-age allowance: today's rates (done) and a planned raise (plan)."""
    from pathlib import Path

    from index.loading import read_file

    source = read_file(
        Path(__file__).parent / "fixtures" / "replies" / "qinghe-songling-2023-zhengxie-23-high-age-allowance.docx"
    )
    parsed = parse_document(source.text, "songling")
    chunks = chunk_document(parsed, ChunkingParams())
    return judge_of(chunks), (parsed.meta, chunks)


def test_a_question_about_now_is_answered_by_done_work_not_by_a_plan(songling):
    judge, reply = songling
    now = answer(judge, reply, "松岭县现在80到89岁老人高龄津贴是多少？", "提高到每人每月60元", "每人每月50元")
    assert "50元" in now.text.split("。")[0] and say("plan_label") not in now.text, now.text


def test_a_year_weighs_little_beside_what_is_asked_about_it(judge, seed):
    weights = {
        t.alternatives[0]: w for t, w, _ in judge.weigh(judge.asked_terms("2022年新建了多少个社区老年食堂？"), [])
    }
    assert weights["2022年"] == pytest.approx(0.25 * judge.idf("2022年"))
    reply = answer(judge, seed, "2022年全省新建了多少个社区老年食堂？", "1000万元福彩公益金", "规模以上养老机构20家")
    assert reply.refused, reply.text


def test_a_mistyped_word_is_read_as_the_retrieved_word_one_character_away(judge, seed):
    reply = answer(judge, seed, "巡方关爱买服务花了多少钱", "1000万元福彩公益金", "8类老年人开展入户巡访")
    assert not reply.refused and "1000万元" in reply.text, reply.text
    kept = answer(judge, seed, "被养老诈骗骗走的钱能追回来吗？", "打击整治养老诈骗专项行动")
    assert kept.refused, kept.text


def test_an_unknown_word_that_only_sets_the_scene_does_not_weigh_against(judge, seed):
    # 退休 and 闲得慌 are not in the reply; they say why the question is asked, not what it asks.
    reply = answer(judge, seed, "退休在家闲得慌，有没有老年人上学的地方？", "吉林省社区老年大学")
    assert not reply.refused and "老年大学" in reply.text, reply.text
    scene = CoverageJudge(judge.terms, judge.idf, CoverageParams(scene_weight=1.0))
    unweighted = ExtractiveComposer(scene).compose(
        prepare_query("退休在家闲得慌，有没有老年人上学的地方？"), hits_for(seed, "吉林省社区老年大学")
    )
    assert unweighted.refused, "without the scene rule the unknown scene words weigh against"


def test_a_copular_question_asks_what_the_clause_before_it_is(judge, seed):
    reply = answer(judge, seed, "我妈总是忘记吃药，是不是老年痴呆了？", "失智老年人照护专区", "1558家")
    assert reply.refused, reply.text


def test_a_figure_the_question_names_orders_sentences_but_never_weighs_against(judge):
    terms = {term.alternatives[0]: term for term in judge.asked_terms("那64个农村养老大院建好了吗？")}
    assert terms["64个"].figure and judge.known(terms["64个"]), list(terms)
    assert "好了吗" not in terms and "建好" not in terms, list(terms)
    weights = dict((t.alternatives[0], w) for t, w, _ in judge.weigh(list(terms.values()), []))
    assert weights["64个"] < max(w for word, w in weights.items() if word != "64个"), weights


def test_a_yearly_figure_answers_every_year(judge, seed):
    reply = answer(judge, seed, "服务老人活动每年有多少人次参加？", "年参加老年人数19.2万人次")
    assert not reply.refused and "19.2万人次" in reply.text, reply.text


def test_an_unknown_word_a_yes_no_question_asks_weighs_fully(judge, seed):
    reply = answer(judge, seed, "护理型床位以后会涨价吗？", "护理型床位达到了8.31万张")
    assert reply.refused, reply.text
    halved = CoverageJudge(judge.terms, judge.idf, CoverageParams(predicate_weight=0.5))
    plain = ExtractiveComposer(halved).compose(prepare_query("护理型床位以后会涨价吗？"), hits_for(seed, "8.31万张"))
    assert not plain.refused, "weighing the predicate as any unknown word answers it"


def test_an_abbreviation_is_read_as_the_word_it_shortens(judge, seed):
    reply = answer(judge, seed, "开养老院的能免税吗？", "免征增值税")
    assert not reply.refused and "免征增值税" in reply.text, reply.text
    assert answer(judge, seed, "养老院的电价能便宜吗？", "免征增值税").refused


def test_a_verb_with_its_measure_word_is_not_a_word_the_answer_must_hold():
    assert "装个" not in words("家里能装个扶手吗？")


def test_a_verb_said_twice_is_not_a_word_the_answer_must_hold(judge, seed):
    question = "小两口闹着要离婚，去民政局的话会有人先劝劝、给做做思想工作吗？"
    assert not {"劝劝", "做做"} & set(words(question))
    reply = answer(judge, seed, question, "心理辅导", "婚姻家庭辅导室")
    assert not reply.refused and "心理辅导" in reply.text, reply.text


@pytest.mark.parametrize(
    "question, needle, said",
    [
        ("养老院评星级吗？", "养老机构等级评定", "等级评定"),
        ("有没有给老人上课的地方？", "老年课堂", "老年课堂"),
        ("老人想去外地养老，有啥门路吗？", "旅居养老协议", "旅居养老"),
        ("我们这儿的养老院都是私人开的吗？", "民办养老机构已出现", "民办"),
        ("社区有没有帮老人做饭送饭的？", "老年助餐", "助餐"),
        ("我奶奶腿脚不好，家里厕所能帮忙改一改吗？", "如厕洗澡安全", "适老化改造"),
        ("老人想到外省去旅居养老，吉林跟别的省有合作吗？", "旅居养老协议", "旅居养老协议"),
        ("现在还有没证的养老院吗？", "无证无照养老机构清理", "无证无照"),
        ("15分钟养老服务圈是啥意思？", "15分钟养老服务圈", "15分钟养老服务圈"),
    ],
)
def test_everyday_wording_is_read_as_the_policy_wording(judge, seed, question, needle, said):
    reply = answer(judge, seed, question, needle, "晋升职业等级")
    assert not reply.refused and said in reply.text, reply.text


def test_a_verb_with_a_bit_of_is_not_a_word_the_answer_must_hold():
    assert "学点" not in words("想学点东西，有地方去吗？")


def test_an_unknown_word_a_quality_is_asked_of_weighs_fully(judge, seed):
    reply = answer(judge, seed, "养老院的护工态度好吗？", "推荐养老院长2人、养老护理员2人", "1558家")
    assert reply.refused, reply.text


def test_a_sentence_of_a_section_whose_heading_names_the_asked_list_answers_it(judge, seed):
    # Listed one sentence each under "（五）举办“吉养天年”养老服务品牌系列活动": none says 、 or 包括.
    reply = answer(judge, seed, "吉养天年品牌系列活动包括什么？", "吉养天年", "吉致吉品")
    assert not reply.refused and "老年美食节" in reply.text, reply.text


def test_a_plan_word_of_the_question_is_said_by_every_sentence_of_a_plan(judge, seed):
    reply = answer(judge, seed, "养老护理员职业技能大赛接下来要办的是第几届？", "第四届", "4项奖励激励制度")
    assert not reply.refused and "第四届" in reply.text, reply.text


def test_this_year_is_not_answered_by_a_sentence_about_a_later_year_only(judge, seed):
    reply = answer(
        judge,
        seed,
        "今年还打算再建几个？",
        "拟争取将建设100个社区老年食堂",
        "200个社区老年食堂",
        history=("社区老年食堂建成多少个了？",),
    )
    assert "200个社区老年食堂" in reply.text and "拟争取" not in reply.text, reply.text


def test_the_questions_own_word_beats_its_official_mapping_in_choosing_the_sentence(judge, seed):
    # 彩礼 maps to 婚俗改革; the sentence saying 彩礼 itself is the one that answers.
    reply = answer(judge, seed, "现在结婚彩礼要得太高了，政府到底管没管？", "国家级婚俗改革实验区", "推动婚俗改革")
    assert "高价彩礼" in reply.text, reply.text


def test_a_colloquial_word_straddling_a_word_of_the_corpus_is_not_said(judge):
    assert "盖了" not in words("现在只管这几类，还是所有老人都覆盖了？", judge)  # 覆盖 + 了, not 盖了 (建成)
    assert "骗老人" in words("老人被骗钱了，政府有没有在管骗老人的事？", judge)  # jieba's 管骗 is no word of the corpus
