"""The fictional replies in tests/fixtures/replies parse to their expected metadata and sections.

They are read as the index reads them (index.loading.read_file: .txt, .docx, .pdf), so a
loader change that garbles a format shows here too.
"""

import json
import re
from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.loading import read_file
from index.parsing import parse_document
from index.records import META, PLAN, ParsedDocument
from yinling.settings import ChunkingParams

FIXTURES = Path(__file__).parent / "fixtures"
REPLIES = FIXTURES / "replies"
EXPECTED = json.loads((REPLIES / "EXPECTED.json").read_text(encoding="utf-8"))
NAMES = sorted(EXPECTED)
META_FIELDS = ("title", "number", "addressee", "subject", "issuer", "date", "contact", "jurisdiction")
# Words only the lines about a document use: none may reach a section or a chunk.
FOOTER_WORDS = ("签发人", "联系人", "联系电话", "抄送", "附件", "公开属性", "此件公开发布", "主动公开", "0123-45678")
DATE_LINE = re.compile(r"[\d〇一二三四五六七八九十]+年[\d〇一二三四五六七八九十]+月[\d〇一二三四五六七八九十]+日")


def parse(name: str) -> ParsedDocument:
    return parse_document(read_file(REPLIES / name).text, Path(name).stem, source=name)


def paragraphs(doc: ParsedDocument) -> list[tuple[str, str]]:
    """(status, paragraph) for every paragraph of every section."""
    return [(section.status, paragraph) for section in doc.sections for paragraph in section.paragraphs]


def test_every_fixture_has_expectations():
    files = sorted(p.name for p in REPLIES.iterdir() if p.suffix in {".txt", ".docx", ".pdf"})
    assert files == NAMES


@pytest.mark.parametrize("name", [n for n in NAMES if not n.endswith(".txt")])
def test_generated_files_match_their_sources(name):
    source = (FIXTURES / "sources" / Path(name).with_suffix(".txt").name).read_text(encoding="utf-8")
    read_back = read_file(REPLIES / name).text
    assert re.sub(r"\s", "", read_back) == re.sub(r"\s", "", source), "run tests/fixtures/make_fixtures.py"


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    meta = parse(name).meta
    expected = {field: EXPECTED[name][field] for field in META_FIELDS}
    assert {field: getattr(meta, field) for field in META_FIELDS} == expected


@pytest.mark.parametrize("name", NAMES)
def test_no_header_or_footer_line_in_any_section(name):
    doc = parse(name)
    signature = {doc.meta.title, doc.meta.issuer, f"{doc.meta.addressee}："}
    for _, paragraph in paragraphs(doc):
        assert not [word for word in FOOTER_WORDS if word in paragraph], f"metadata in the body: {paragraph}"
        assert paragraph not in signature and doc.meta.number not in paragraph
        assert not DATE_LINE.fullmatch(paragraph), f"the signature date in the body: {paragraph}"


@pytest.mark.parametrize("name", NAMES)
def test_paragraph_statuses(name):
    found = paragraphs(parse(name))
    for opening, status in EXPECTED[name]["statuses"].items():
        holders = [s for s, paragraph in found if paragraph.startswith(opening)]
        assert holders == [status], f"{opening}… should be one {status} paragraph, is {holders}"


@pytest.mark.parametrize("name", NAMES)
def test_every_next_step_paragraph_is_a_plan(name):
    found = paragraphs(parse(name))
    next_steps = [(status, p[:12]) for status, p in found if p.startswith(("下一步", "今后"))]
    assert all(status == PLAN for status, _ in next_steps), next_steps


@pytest.mark.parametrize("name", NAMES)
def test_no_chunk_holds_a_footer_line(name):
    chunks = chunk_document(parse(name), ChunkingParams())
    assert chunks[0].kind == META and EXPECTED[name]["number"] in chunks[0].text
    for chunk in chunks:
        assert not [word for word in ("联系电话", "抄送", "签发人", "0123-45678") if word in chunk.text], chunk.text


def test_a_later_reply_of_the_same_issuer_updates_a_figure():
    earlier = parse("qinghe-2023-renda-45-meal-service.docx")
    later = parse("qinghe-2024-zhengxie-0087-meal-service.pdf")
    assert (earlier.meta.jurisdiction, earlier.meta.date) == ("青禾市", "2023-11-23")
    assert (later.meta.jurisdiction, later.meta.date) == ("青禾市", "2024-05-30")
    assert "社区老年食堂86个" in "".join(p for _, p in paragraphs(earlier))
    assert "社区老年食堂132个" in "".join(p for _, p in paragraphs(later))
