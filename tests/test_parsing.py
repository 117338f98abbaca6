from index.parsing import clean_lines, parse_document
from index.records import DONE, GENERAL, PLAN

# The shape the issue #9 report described: the opening sentence on a short line ending in ：,
# a closing 下一步 paragraph after the last heading, a footer ending in a contact line.
CITY_REPLY = """青禾市民政局关于市人大第45号建议的答复
青民建〔2023〕45号
张某某代表：
您提出的《关于扩大老年助餐服务的建议》收悉，现答复如下：
一、关于老年食堂建设
截至2023年10月底，全市建成社区老年食堂86个、老年助餐点214个。
下一步，我局将在2024年再新建社区老年食堂40个。
感谢您对民政工作的关心和支持！
青禾市民政局
二〇二三年十一月二十三日
联系人：刘某某　　联系电话：0123-4567802
"""


def test_seed_metadata(seed_text):
    meta = parse_document(seed_text, "jl").meta
    assert meta.title == "对省政协第十三届一次会议Z1号提案的答复"
    assert meta.number == "吉民议字〔2023〕27号"
    assert meta.addressee == "人口资源环境委员会"
    assert meta.issuer == "吉林省民政厅"
    assert meta.date == "2023-11-23"
    assert meta.subject == "关于我省少子老龄化问题的建议"
    assert meta.jurisdiction == "吉林省"
    assert meta.contact == ""


def test_repeated_section_numbers_stay_distinct(seed_text):
    sections = parse_document(seed_text, "jl").sections
    firsts = [s.breadcrumb for s in sections if "（一）" in s.breadcrumb]
    assert firsts == [
        "一、工作开展情况 › （一）持续完善养老服务政策体系",
        "二、下步工作安排 › （一）积极完善养老服务政策体系",
    ]


def test_parts_carry_done_and_plan_status(seed_text):
    sections = parse_document(seed_text, "jl").sections
    status = {s.breadcrumb: s.status for s in sections}
    assert status["一、工作开展情况 › （四）加强养老服务设施建设"] == DONE
    assert status["二、下步工作安排 › （二）落实省政府民生实事任务"] == PLAN
    assert status["二、下步工作安排"] == PLAN  # the plans' lead paragraph
    assert status["正文"] == GENERAL  # the opening before the parts


def test_points_become_child_sections(seed_text):
    sections = parse_document(seed_text, "jl").sections
    points = [s.path[-1] for s in sections if len(s.path) == 3]
    assert points == ["一是着力推进试验区建设", "二是加强教育培训", "三是强化婚姻家庭辅导"]


def test_every_body_character_is_kept(seed_text):
    parsed = parse_document(seed_text, "jl")
    body = "".join(p for s in parsed.sections for p in s.paragraphs)
    assert "全省现已建成各类养老机构1558家" in body
    assert "强化结婚登记颁证的重要性" in body  # the last paragraph before the issuer


def test_unstructured_text_parses_as_plain_paragraphs():
    parsed = parse_document("养老服务简报\n今年共走访老人三百户。\n下月继续开展走访。", "brief")
    assert parsed.meta.title == "养老服务简报"
    assert [s.path for s in parsed.sections] == [("正文",)]
    assert parsed.sections[0].paragraphs == ("今年共走访老人三百户。", "下月继续开展走访。")


def test_empty_text_has_no_sections():
    parsed = parse_document("  \n\n", "empty")
    assert parsed.sections == ()
    assert parsed.meta.title == ""


def test_clean_lines_removes_indentation_and_stray_spaces():
    assert clean_lines("　　资金 2.1亿元，增长 23.5 %\n\n") == ["资金2.1亿元，增长23.5%"]


def test_a_footer_ending_in_a_contact_line_keeps_issuer_date_and_subject():
    meta = parse_document(CITY_REPLY, "qh").meta
    assert (meta.issuer, meta.date, meta.subject) == ("青禾市民政局", "2023-11-23", "关于扩大老年助餐服务的建议")
    assert meta.addressee == "张某某代表"
    assert meta.contact == "刘某某 0123-4567802"
    assert meta.jurisdiction == "青禾市"


def test_a_closing_next_step_paragraph_is_a_plan_and_the_thanks_is_not():
    sections = parse_document(CITY_REPLY, "qh").sections
    assert [(s.breadcrumb, s.status) for s in sections] == [
        ("正文", GENERAL),
        ("一、关于老年食堂建设", GENERAL),
        ("下一步工作", PLAN),
        ("结束语", GENERAL),
    ]
    assert sections[2].paragraphs == ("下一步，我局将在2024年再新建社区老年食堂40个。",)


def test_a_next_step_paragraph_inside_a_part_is_a_plan_under_that_part():
    text = "一、关于台账\n已建立台账3126人。\n下一步，将对接平台。\n二、关于巡访\n全年巡访2.1万人次。"
    sections = parse_document(text, "x").sections
    assert [(s.breadcrumb, s.status) for s in sections] == [
        ("一、关于台账", GENERAL),
        ("一、关于台账 › 下一步工作", PLAN),
        ("二、关于巡访", GENERAL),
    ]


def test_a_reply_without_headings_ends_in_its_plan():
    text = "您提出的《关于适老化改造的建议》收悉。\n2023年改造620户。\n今后，我局将每年改造500户。"
    sections = parse_document(text, "x").sections
    assert [(s.breadcrumb, s.status, s.paragraphs) for s in sections] == [
        ("正文", GENERAL, ("您提出的《关于适老化改造的建议》收悉。", "2023年改造620户。")),
        ("下一步工作", PLAN, ("今后，我局将每年改造500户。",)),
    ]


def test_an_unnumbered_next_step_heading_is_a_plan_part():
    sections = parse_document("工作成效显著。\n下一步工作打算\n提高津贴标准到每月60元。", "x").sections
    assert [(s.breadcrumb, s.status) for s in sections] == [("正文", GENERAL), ("下一步工作打算", PLAN)]


def test_addressee_in_front_of_the_opening_sentence():
    parsed = parse_document("对第87号提案的答复\n王某某委员：您提出的《关于老年助餐的提案》收悉。现答复如下：", "x")
    assert (parsed.meta.addressee, parsed.meta.subject) == ("王某某委员", "关于老年助餐的提案")
    assert parsed.sections[0].paragraphs == ("您提出的《关于老年助餐的提案》收悉。现答复如下：",)


def test_header_marks_and_a_title_over_two_lines():
    text = (
        "B类\n对区政协五届三次会议\n第31号提案的答复\n云白民函〔2023〕14号　签发人：冯某某\n"
        "区政协社会和法制委员会：\n正文。"
    )
    meta = parse_document(text, "x").meta
    assert (meta.title, meta.number) == ("对区政协五届三次会议第31号提案的答复", "云白民函〔2023〕14号")
    assert meta.addressee == "区政协社会和法制委员会"


def test_metadata_lines_never_reach_the_body():
    text = (
        "正文第一段。\n附件：1.改造完成情况表\n2.改造计划表\n松岭县民政局\n2024年7月2日\n"
        "（此件公开发布）\n公开属性：主动公开\n联系人及电话：何某某，0123-4567803\n抄送：县政府办公室。"
    )
    parsed = parse_document(text, "x")
    assert [s.paragraphs for s in parsed.sections] == [("正文第一段。",)]
    meta = parsed.meta
    assert (meta.issuer, meta.date, meta.contact) == ("松岭县民政局", "2024-07-02", "何某某 0123-4567803")


def test_an_unsigned_reply_takes_its_issuer_from_the_title():
    meta = parse_document("东川省卫生健康委员会关于第1203号建议的答复\n周某某代表：\n正文。", "x").meta
    assert (meta.issuer, meta.jurisdiction) == ("东川省卫生健康委员会", "东川省")


def test_a_date_line_with_a_note_still_gives_the_date():
    body = "关于助餐的答复\n一、工作开展情况\n（一）推进助餐。已建成助餐点12个。\n"
    text = body + "青禾市民政局\n2024年6月18日（此件公开发布）\n"
    meta = parse_document(text, "d").meta
    assert (meta.issuer, meta.date) == ("青禾市民政局", "2024-06-18")
