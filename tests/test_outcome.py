"""The one refusal decision: a reading of the hits becomes answered or refused, with its reason."""

import dataclasses

import pytest

from bot.coverage import CoverageParams
from bot.evidence import Sentence
from bot.outcome import NO_CONTENT_WORDS, NO_HITS, OUT_OF_SCOPE, Reading, decide, refuse, unanswerable_place
from bot.question import prepare_query
from bot.records import Scope
from tests.conftest import hits_for, judge_of

PARAMS = CoverageParams().decision


def reading_with_best(seed, score: float, typed: bool = True, **fields) -> Reading:
    hit = hits_for(seed, "1558家")[0]
    return Reading(evidence=(Sentence("全省共有养老机构1558家。", hit, score, typed),), **fields)


def test_a_real_reading_of_an_answerable_question_is_covered(seed):
    judge = judge_of(seed[1])
    reading = judge.read(prepare_query("全省有多少家养老机构？"), hits_for(seed, "1558家"))
    verdict = decide(reading, judge.params.decision)
    assert verdict.covered and not verdict.reason, verdict
    assert "1558家" in verdict.evidence[0].text
    assert reading.asked_kind.startswith("count"), "the asked kind is read once and carried in the verdict"


def test_a_real_reading_of_an_unknown_place_is_refused_by_name(seed):
    judge = judge_of(seed[1])
    verdict = decide(judge.read(prepare_query("北京市有多少家养老机构？"), hits_for(seed, "1558家")), PARAMS)
    assert not verdict.covered and verdict.reason == "unknown place: 北京市", verdict.reason


@pytest.mark.parametrize(
    ("reading", "reason"),
    [
        (Reading(retrieved=False), NO_HITS),
        (Reading(worded=False), NO_CONTENT_WORDS),
        (Reading(unknown_place="北京"), "unknown place: 北京"),
        (Reading(), "no sentence holds the asked words"),
        (Reading(kind="money"), "no sentence holds the asked money"),
        (Reading(similarity=0.5), "similarity 0.50"),
    ],
)
def test_each_refusal_says_its_reason(reading, reason):
    verdict = decide(reading, PARAMS)
    assert not verdict.covered and verdict.reason == reason, verdict


def test_the_share_threshold_decides_between_answer_and_refusal(seed):
    below = decide(reading_with_best(seed, PARAMS.min_share - 0.01), PARAMS)
    at = decide(reading_with_best(seed, PARAMS.min_share), PARAMS)
    assert not below.covered and below.reason.startswith("best sentence holds"), below.reason
    assert at.covered and at.coverage == PARAMS.min_share


def test_an_untyped_best_sentence_is_refused_unless_the_kind_check_is_off(seed):
    reading = reading_with_best(seed, 1.0, typed=False, kind="money")
    assert decide(reading, PARAMS).reason == "no sentence holds the asked money"
    assert decide(reading, dataclasses.replace(PARAMS, typed=False)).covered


def test_an_out_of_scope_topic_is_referred_unless_one_sentence_says_most_of_it(seed):
    referral = "请咨询当地人力资源和社会保障部门。"
    weak = decide(reading_with_best(seed, PARAMS.referral_override - 0.01, referral=referral), PARAMS)
    strong = decide(reading_with_best(seed, PARAMS.referral_override, referral=referral), PARAMS)
    assert not weak.covered and weak.reason == OUT_OF_SCOPE and weak.referral == referral, weak
    assert strong.covered, strong


def test_refusal_switched_off_covers_everything_retrieved():
    off = dataclasses.replace(PARAMS, enabled=False)
    assert decide(Reading(unknown_place="北京"), off).covered
    assert not decide(Reading(retrieved=False), off).covered, "nothing retrieved is never an answer"


def test_a_place_without_replies_is_refused_before_reading_with_its_hotline():
    query = dataclasses.replace(prepare_query("北京的高龄津贴是多少？"), scope=Scope("北京市", ("北京",), ()))
    assert unanswerable_place(query) == "no reply for 北京市"
    answer = refuse(query, [], unanswerable_place(query), "")
    assert answer.refused and "北京市的12345" in answer.text, answer.text
    assert unanswerable_place(prepare_query("养老机构有多少家？")) == ""
