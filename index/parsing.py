"""Parse a reply document (答复) into metadata and a section tree. Pure functions of text.

A reply document usually reads: title, document number (文号), addressee, an opening
paragraph, parts `一、…` (work done, then plans), sections `（一）…` whose lead sentence
is their title, points `一是…二是…` inside a section, then the issuer and the date.
Text that does not follow this pattern still parses, as plain paragraphs.
"""

from __future__ import annotations

import re

from index.records import DONE, GENERAL, PLAN, DocMeta, ParsedDocument, Section

CN_DIGITS = "〇零一二三四五六七八九十百"
_CJK = r"\u3400-\u9fff\uf900-\ufaff"

DOC_NUMBER = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*第?\d+\s*号")
PART_HEADING = re.compile(rf"^([{CN_DIGITS}]+)、\s*(.+)$")
SECTION_HEADING = re.compile(rf"^[（(]([{CN_DIGITS}]+)[)）]\s*(.+)$")
POINT_START = re.compile(rf"(?<![{CN_DIGITS}])([一二三四五六七八九十]{{1,3}}是)(?=[{_CJK}“《])")
ARABIC_DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
CHINESE_DATE = re.compile(rf"([{CN_DIGITS}○O]{{4}})年([{CN_DIGITS}]{{1,3}})月([{CN_DIGITS}]{{1,3}})日")
SUBJECT = re.compile(r"《([^》]{4,80})》(?:已)?收悉")
ISSUER_HINT = re.compile(r"(厅|局|委员会|委|办公室|政府|部|中心|院|会)$")

PLAN_WORDS = ("下步", "下一步", "今后", "工作安排", "工作打算", "计划", "思路", "下阶段")
DONE_WORDS = ("开展情况", "工作情况", "进展", "成效", "办理情况", "主要做法", "已")

HEADER_SCAN_LINES = 6
TITLE_MAX_CHARS = 80
SHORT_LINE_MAX_CHARS = 40


def parse_document(text: str, doc_id: str, source: str = "") -> ParsedDocument:
    """Parse a document's text into its metadata and sections.

    Args:
        text: the whole document as plain text, one paragraph a line.
        doc_id: the stable id the index will know this document by.
        source: the file name, kept for display.

    Returns:
        The metadata found (missing fields are empty) and the sections in reading order.
    """
    lines = clean_lines(text)
    if not lines:
        return ParsedDocument(DocMeta(doc_id=doc_id, title="", source=source), ())
    header, body, footer = split_header_footer(lines)
    subject = next((m.group(1) for line in body[:3] if (m := SUBJECT.search(line))), "")
    meta = DocMeta(
        doc_id=doc_id,
        title=header.get("title", ""),
        number=header.get("number", ""),
        addressee=header.get("addressee", ""),
        issuer=footer.get("issuer", ""),
        date=footer.get("date", ""),
        source=source,
        subject=subject,
    )
    return ParsedDocument(meta, tuple(parse_sections(body)))


def clean_lines(text: str) -> list[str]:
    """Split into non-empty lines with indentation and stray spaces between CJK removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    lines = []
    for raw in text.split("\n"):
        line = re.sub(r"\s+", " ", raw).strip()
        line = re.sub(rf"(?<=[{_CJK}，。；：、）》”])\s+|\s+(?=[{_CJK}，。；：、（《“])", "", line)
        line = re.sub(r"(?<=[\d.])\s+(?=[\d.])|(?<=\d)\s+(?=[%万亿元])", "", line)
        if line:
            lines.append(line)
    return lines


def split_header_footer(lines: list[str]) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Take title, number and addressee off the top, issuer and date off the bottom."""
    header: dict[str, str] = {}
    start = 0
    for i, line in enumerate(lines[:HEADER_SCAN_LINES]):
        if is_body_start(line):
            break
        number = DOC_NUMBER.search(line)
        if number and len(line) <= SHORT_LINE_MAX_CHARS and "number" not in header:
            header["number"] = number.group(0).replace(" ", "")
        elif line.endswith(("：", ":")) and len(line) <= SHORT_LINE_MAX_CHARS:
            header["addressee"] = line.rstrip("：:")
        elif "title" not in header and len(line) <= TITLE_MAX_CHARS and "。" not in line:
            header["title"] = line
        else:
            break
        start = i + 1
    footer: dict[str, str] = {}
    end = len(lines)
    while end > start and len(lines[end - 1]) <= SHORT_LINE_MAX_CHARS:
        line = lines[end - 1]
        date = parse_date(line)
        if date and "date" not in footer and date_is_whole_line(line):
            footer["date"] = date
        elif ISSUER_HINT.search(line) and "issuer" not in footer and "。" not in line:
            footer["issuer"] = line
        else:
            break
        end -= 1
    return header, lines[start:end], footer


def is_body_start(line: str) -> bool:
    return bool(PART_HEADING.match(line) or SECTION_HEADING.match(line)) or len(line) > TITLE_MAX_CHARS


def date_is_whole_line(line: str) -> bool:
    return len(re.sub(r"[\d年月日〇零一二三四五六七八九十○O.\-/\s]", "", line)) == 0


def parse_date(text: str) -> str:
    """Return the first date in `text` as YYYY-MM-DD, or an empty string."""
    match = ARABIC_DATE.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else ""
    match = CHINESE_DATE.search(text)
    if match:
        year = "".join(str(chinese_numeral(c)) for c in match.group(1))
        return f"{year}-{chinese_numeral(match.group(2)):02d}-{chinese_numeral(match.group(3)):02d}"
    return ""


def chinese_numeral(text: str) -> int:
    """Value of a small Chinese numeral: 三 → 3, 十一 → 11, 二十三 → 23, 〇 → 0."""
    values = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}
    if "十" not in text:
        return int("".join(str(values[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (values[tens] if tens else 1) * 10 + (values[ones] if ones else 0)


def parse_sections(lines: list[str]) -> list[Section]:
    """Group body lines under their part and section headings, splitting points."""
    sections: list[Section] = []
    part: tuple[str, str] | None = None  # (heading, status)
    path: tuple[str, ...] = ()
    paragraphs: list[str] = []

    def flush() -> None:
        if paragraphs:
            status = part[1] if part else GENERAL
            sections.extend(split_points(path or ("正文",), status, paragraphs))
            paragraphs.clear()

    for line in lines:
        part_match = PART_HEADING.match(line)
        section_match = SECTION_HEADING.match(line)
        if part_match and is_heading_line(part_match.group(2)):
            flush()
            title = lead_sentence(line)
            part = (title, classify_status(title))
            path = (title,)
            rest = line[len(title) :].lstrip("。：:")
            if rest:
                paragraphs.append(rest)
        elif section_match:
            flush()
            path = (part[0], lead_sentence(line)) if part else (lead_sentence(line),)
            paragraphs.append(line)
        else:
            if not part and not path:
                path = ("正文",)
            paragraphs.append(line)
    flush()
    return sections


def is_heading_line(rest: str) -> bool:
    """A part heading is short; a long line starting `一、` is a list item in prose."""
    return len(lead_sentence(rest)) <= SHORT_LINE_MAX_CHARS


def lead_sentence(line: str) -> str:
    """The line up to its first full stop or colon, without the stop."""
    match = re.search(r"[。：:！？]", line)
    return line[: match.start()] if match else line


def classify_status(heading: str) -> str:
    if any(word in heading for word in PLAN_WORDS):
        return PLAN
    if any(word in heading for word in DONE_WORDS):
        return DONE
    return GENERAL


def split_points(path: tuple[str, ...], status: str, paragraphs: list[str]) -> list[Section]:
    """Split `一是…二是…` points out of a section; each point becomes a child section."""
    text = "\n".join(paragraphs)
    starts = [m.start() for m in POINT_START.finditer(text) if is_point_boundary(text, m.start())]
    if len(starts) < 2:
        return [Section(path, status, tuple(paragraphs))]
    sections = []
    lead = text[: starts[0]].strip()
    if lead:
        sections.append(Section(path, status, tuple(lead.split("\n"))))
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        point = text[begin:end].strip()
        sections.append(Section((*path, lead_sentence(point)), status, tuple(point.split("\n"))))
    return sections


def is_point_boundary(text: str, position: int) -> bool:
    """`一是` starts a point only at a paragraph or sentence start."""
    return position == 0 or text[position - 1] in "。；;\n：:"
