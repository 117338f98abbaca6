"""What the web UI shows, as HTML: pure functions of answers and hits."""

from __future__ import annotations

from bot.records import Answer, Citation, Hit
from bot.serve.render import answer_html, call_links, hits_html, message_html, newest_first
from index.records import Chunk, DocMeta

META = DocMeta(
    doc_id="d", title="关于养老的答复", number="吉民议字〔2023〕27号", issuer="吉林省民政厅", date="2023-11-23"
)
CHUNK = Chunk("d-1", "d", 1, "全省建成养老机构1558家。", "一、工作开展情况", "done")
HIT = Hit(CHUNK, META, 0.9, 1)


def test_hotline_numbers_become_tap_to_call_links():
    html = call_links("请拨打12345或12333，社保问12393。")
    for number in ("12345", "12333", "12393"):
        assert f'<a href="tel:{number}" class="yl-tel">{number}</a>' in html


def test_a_longer_number_that_contains_a_hotline_is_not_a_link():
    assert call_links("电话13912345678，编号123456") == "电话13912345678，编号123456"


def test_a_message_is_escaped_before_numbers_are_linked():
    html = message_html('<script>alert("12345")</script>请拨打12345')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('href="tel:12345"') == 2  # the escaped text is inert; its number may still be called


def test_a_refusal_links_its_hotline_and_an_answer_keeps_its_marks():
    refusal = Answer("北京的高龄津贴？", "抱歉，没有讲到。您可以拨打12345政务服务便民热线。", refused=True)
    assert 'href="tel:12345"' in answer_html(refusal)
    answer = Answer(
        "多少家？",
        "全省建成养老机构1558家。[1]",
        refused=False,
        citations=(Citation(1, HIT, ("全省建成养老机构1558家。",)),),
    )
    html = answer_html(answer)
    assert "<sup>[1]</sup>" in html and "<mark>全省建成养老机构1558家。</mark>" in html


def test_the_desk_warns_when_its_paragraphs_do_not_cover_the_query():
    assert "yl-warning" in hits_html([HIT], "北京高龄津贴", covered=False)
    assert "yl-warning" not in hits_html([HIT], "养老机构")


def test_the_desk_reads_one_issuers_newer_reply_first_and_keeps_other_issuers_in_place():
    def hit(doc_id: str, issuer: str, date: str, rank: int) -> Hit:
        meta = DocMeta(doc_id=doc_id, title="答复", issuer=issuer, date=date)
        return Hit(Chunk(f"{doc_id}-1", doc_id, 1, "老年食堂。", "正文", "done"), meta, 1.0 / rank, rank)

    hits = [hit("q23", "青禾市民政局", "2023-11-23", 1), hit("j", "吉林省民政厅", "2023-11-23", 2)]
    hits += [hit("q24", "青禾市民政局", "2024-05-30", 3)]
    ordered = newest_first(hits)
    assert [h.chunk.doc_id for h in ordered] == ["q24", "j", "q23"]
    assert [h.rank for h in ordered] == [1, 2, 3]
