from index.parsing import chinese_numeral, clean_lines, parse_date, parse_document
from index.records import DONE, GENERAL, PLAN


def test_seed_metadata(seed_text):
    meta = parse_document(seed_text, "jl").meta
    assert meta.title == "对省政协第十三届一次会议Z1号提案的答复"
    assert meta.number == "吉民议字〔2023〕27号"
    assert meta.addressee == "人口资源环境委员会"
    assert meta.issuer == "吉林省民政厅"
    assert meta.date == "2023-11-23"
    assert meta.subject == "关于我省少子老龄化问题的建议"


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


def test_dates_in_both_notations():
    assert parse_date("2023年11月23日") == "2023-11-23"
    assert parse_date("二〇二三年十一月二十三日") == "2023-11-23"
    assert parse_date("2024.1.5") == "2024-01-05"
    assert parse_date("没有日期") == ""
    assert chinese_numeral("二十三") == 23 and chinese_numeral("十") == 10


def test_clean_lines_removes_indentation_and_stray_spaces():
    assert clean_lines("　　资金 2.1亿元，增长 23.5 %\n\n") == ["资金2.1亿元，增长23.5%"]
