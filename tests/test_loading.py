from pathlib import Path

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from index.errors import DocumentError
from index.loading import join_pdf_lines, read_corpus, read_file

LINES = ["对某某提案的答复", "吉民议字〔2024〕3号", "一、工作开展情况", "（一）建设养老大院。今年建成养老大院64个。"]


def write_docx(path: Path) -> None:
    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    document.save(path)


def write_pdf(path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 12)
    for i, line in enumerate(LINES):
        page.drawString(50, 800 - 20 * i, line)
    page.save()


@pytest.mark.parametrize(
    "name, write",
    [
        ("a.txt", lambda p: p.write_text("\n".join(LINES), encoding="utf-8")),
        ("a.md", lambda p: p.write_text("# " + "\n\n## ".join(LINES), encoding="utf-8")),
        ("a.docx", write_docx),
        ("a.pdf", write_pdf),
    ],
)
def test_every_format_reads_to_the_same_lines(tmp_path, name, write):
    path = tmp_path / name
    write(path)
    lines = [line.strip() for line in read_file(path).text.splitlines() if line.strip()]
    assert lines == LINES


def test_gbk_text_is_detected(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("\n".join(LINES).encode("gbk"))
    assert read_file(path).text.splitlines() == LINES


def test_gb18030_text_is_detected(tmp_path):
    path = tmp_path / "gb18030.txt"
    path.write_bytes("养老服务𠀀设施".encode("gb18030"))
    assert read_file(path).text == "养老服务𠀀设施"


def test_same_text_same_hash_whatever_the_encoding(tmp_path):
    (tmp_path / "u.txt").write_text("养老机构1558家", encoding="utf-8")
    (tmp_path / "g.txt").write_bytes("养老机构1558家".encode("gbk"))
    assert read_file(tmp_path / "u.txt").sha256 == read_file(tmp_path / "g.txt").sha256


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "没有文字"),
        ("blank.txt", "  \n\u3000\n".encode(), "没有文字"),
        ("broken.docx", b"not a zip file", "已损坏"),
        ("broken.pdf", b"%PDF-1.4 garbage", "已损坏"),
        ("binary.txt", b"\x00\x01\x02\x00" * 10, "不是文本"),
    ],
)
def test_bad_files_are_reported_with_their_name(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as caught:
        read_file(path)
    assert name in str(caught.value) and message in str(caught.value)


def test_corpus_reading_skips_bad_files_and_keeps_the_rest(tmp_path):
    (tmp_path / "good.txt").write_text("\n".join(LINES), encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "notes.xlsx").write_bytes(b"ignored: not a corpus format")
    results = list(read_corpus(tmp_path))
    assert [type(r).__name__ for r in results] == ["DocumentError", "SourceFile"]
    assert "empty.txt" in str(results[0])


def test_missing_corpus_dir_says_which_setting(tmp_path):
    with pytest.raises(DocumentError, match="YINLING_CORPUS_DIR"):
        list(read_corpus(tmp_path / "nowhere"))


def test_pdf_wrapped_lines_are_rejoined_but_headings_kept():
    page = (
        "对某某提案的答复\n今年全省新建社区老年食堂一百三十六个，建成嵌入式养老服务设\n"
        "施一百七十九个。\n（一）建设养老大院。"
    )
    assert join_pdf_lines(page).splitlines() == [
        "对某某提案的答复",
        "今年全省新建社区老年食堂一百三十六个，建成嵌入式养老服务设施一百七十九个。",
        "（一）建设养老大院。",
    ]


def test_a_long_pdf_title_is_not_glued_to_the_number_and_addressee():
    page = "青禾市民政局关于市十七届人大三次会议第45号建议的答复\n青民建〔2023〕45号\n张某某代表：\n您提出的建议收悉。"
    assert join_pdf_lines(page).split("\n") == [
        "青禾市民政局关于市十七届人大三次会议第45号建议的答复",
        "青民建〔2023〕45号",
        "张某某代表：",
        "您提出的建议收悉。",
    ]
