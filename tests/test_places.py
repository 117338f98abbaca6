"""Places: recognised from the division package and the corpus, and which replies answer for them."""

from bot.outcome import refuse
from bot.places import divisions
from bot.records import Query, Scope
from zhtext.tokens import tag

FIXTURE_JURISDICTIONS = ("吉林省", "东川省", "青禾市", "青禾市松岭县", "松岭县", "云泽市", "云泽市白石区")


def places():
    return divisions().with_jurisdictions(FIXTURE_JURISDICTIONS)


def names(text: str) -> list[str]:
    return [name for _, name in places().find(text, dict(tag(text)))]


def test_full_names_short_forms_and_corpus_places_are_recognised():
    assert names("长春有多少养老机构") == ["长春市"]
    assert names("延边州的老人") == ["延边朝鲜族自治州"]
    assert names("吉林是不是全国第一") == ["吉林省"], "吉林 alone is the province, not 吉林市"
    assert names("浦东新区的高龄津贴") == ["浦东新区"]
    assert names("白石区有多少老人") == ["白石区"], "a fixture district comes from the corpus's jurisdictions"


def test_a_short_form_that_is_an_everyday_word_is_no_place():
    assert names("祝老人幸福安康") == [], "安康 here is a wish, not 安康市"
    assert names("全省有多少家养老机构") == []


def test_a_place_is_answered_from_its_own_replies_not_from_places_inside_it():
    scope = places().scope("青禾市", "青禾市", figures=True)
    assert scope.jurisdictions == ("青禾市",), "松岭县's figures are not 青禾市's"
    assert set(places().scope("松岭县", "松岭县", figures=True).jurisdictions) == {"松岭县", "青禾市松岭县"}


def test_a_city_policy_question_may_use_its_province_but_a_figure_may_not():
    policy = places().scope("长春", "长春市", figures=False)
    assert (policy.jurisdictions, policy.broader) == (("吉林省",), "吉林省")
    assert places().scope("长春", "长春市", figures=True).jurisdictions == ()
    assert places().scope("北京", "北京市", figures=False).jurisdictions == ()


def test_a_place_without_replies_is_refused_with_its_own_hotline():
    query = Query("云泽市的高龄津贴标准是多少？", scope=Scope("云泽市", ("云泽市",)))
    answer = refuse(query, [], "no reply", "")
    assert answer.refused and "云泽市的12345" in answer.text, answer.text


TWO_LINSHUI = ("岚山市", "岚山市临水区", "沅江市临水区", "汀溪县")


def test_a_place_matches_its_reply_at_any_level_of_the_reply_s_path():
    gazetteer = divisions().with_jurisdictions(("岚山市临水区", "汀溪县"))
    for question in ("临水区有多少助餐点？", "岚山临水区有多少助餐点？", "岚山市临水区有多少助餐点？"):
        said, place, within = named(gazetteer, question)
        assert gazetteer.scope(said, place, figures=True, within=within).jurisdictions == ("岚山市临水区",), question


def test_a_district_two_cities_have_asks_which_one_unless_the_city_is_named():
    gazetteer = divisions().with_jurisdictions(TWO_LINSHUI)
    bare = gazetteer.scope(*named(gazetteer, "临水区的高龄津贴是多少？")[:2], figures=True)
    assert bare.jurisdictions == () and bare.choices == ("岚山市临水区", "沅江市临水区")
    said, place, within = named(gazetteer, "沅江市临水区的高龄津贴是多少？")
    assert gazetteer.scope(said, place, figures=True, within=within).jurisdictions == ("沅江市临水区",)
    query = Query("临水区的高龄津贴是多少？", scope=bare)
    answer = refuse(query, [], "which place", "")
    assert "岚山市临水区、沅江市临水区" in answer.text and "哪一个" in answer.text, answer.text


def test_one_place_under_two_spellings_of_its_path_is_not_ambiguous():
    assert set(places().scope("松岭县", "松岭县", figures=True).jurisdictions) == {"松岭县", "青禾市松岭县"}
    assert places().scope("松岭县", "松岭县", figures=True).choices == ()


def test_a_city_named_alone_is_still_the_city():
    gazetteer = divisions().with_jurisdictions(TWO_LINSHUI)
    said, place, within = named(gazetteer, "岚山市有多少养老机构？")
    assert (place, within) == ("岚山市", "") and gazetteer.scope(said, place, True).jurisdictions == ("岚山市",)


def named(gazetteer, question):
    from bot.places import named_place

    return named_place(gazetteer.find(question, dict(tag(question))), gazetteer)
