"""Parse a reply document (答复) into metadata and a section tree. Pure functions of text.

A reply document usually reads: title, document number (文号), addressee, an opening
paragraph, parts `一、…` (work done, then plans), sections `（一）…` whose lead sentence
is their title, points `一是…二是…` inside a section, then the issuer and the date.
Around that sit lines about the document rather than its content (签发人, 公开属性,
联系人/联系电话, 抄送, 附件): they are read as metadata and never become body text.
Text that does not follow this pattern still parses, as plain paragraphs.
"""

from __future__ import annotations

import re

from index.metadata import read_origin
from index.records import DONE, GENERAL, PLAN, DocMeta, ParsedDocument, Section
from zhtext.dates import parse_date
from zhtext.docnumber import DOC_NUMBER, normalize_number
from zhtext.numerals import CN_DIGITS

_CJK = r"\u3400-\u9fff\uf900-\ufaff"

PART_HEADING = re.compile(rf"^([{CN_DIGITS}]+)、\s*(.+)$")
SECTION_HEADING = re.compile(rf"^[（(]([{CN_DIGITS}]+)[)）]\s*(.+)$")
POINT_START = re.compile(rf"(?<![{CN_DIGITS}])([一二三四五六七八九十]{{1,3}}是)(?=[{_CJK}“《])")
SUBJECT = re.compile(r"《([^》]{4,80})》(?:已)?收悉")
ISSUER_HINT = re.compile(r"(厅|局|委员会|委|办公室|政府|部|中心|院|会)$")
# "X局关于…的答复": the issuer named in the title, used when the reply is not signed.
TITLE_ISSUER = re.compile(r"^(.{2,30}?(?:厅|局|委员会|办公室|政府))关于")
TITLE_END = ("答复", "复函", "的函", "意见", "报告", "回复")
# The header's issuer mark (版头, GB/T 9704): `芦塬县人民政府办公室文件`.
HEADING = re.compile(r"^(.{2,30}?(?:厅|局|委员会|委|办公室|办公厅|政府))文件$")
ISSUE_DATE = re.compile(r"成文日期[：:]")
# "张某某代表：您提出的《…》收悉。…": the addressee in front of the opening sentence.
ADDRESSEE_WITH_OPENING = re.compile(r"^([^：:，,。《》]{2,30})[：:](.*收悉.*)$")

# Lines about the document, not its content.
META_LINE = re.compile(
    r"^[（(]?(?:(?:签发人|抄送|抄报|公开属性|公开方式|公开选项|联系人|联系电话|联系方式|联系单位|类别|成文日期)[^：:]{0,4}[：:]"
    r"|此件(?:公开|不予|依申请|不公开))"
)
CATEGORY_LINE = re.compile(r"^[A-DＡ-Ｄ]类$")  # the 办理结果 mark (A类 adopted …) above the title
ATTACHMENTS = re.compile(r"^[（(]?附件\s*\d*[：:]")  # goes on over numbered lines: 2.某某名单
ATTACHMENT_ITEM = re.compile(r"^\d+[.．、]")
CONTACT_NAME = re.compile(rf"联系人(?:及电话)?[：:]\s*([{_CJK}]{{2,4}}?)(?=[，,；;、\s）)]|联系|电话|\d|$)")
PHONE = re.compile(r"[(（]?0\d{2,3}[)）]?[-－]?\d{7,8}|1\d{10}")

# A paragraph that opens like these states a plan, wherever it stands.
PLAN_OPENER = re.compile(r"^(?:下一步|下步|下一阶段|下阶段|今后|接下来)")
PLAN_HEADING = re.compile(r"^(?:下一步|下步|今后)[^，,。；;：:]{0,12}[：:]?$")  # 下一步工作打算
COURTESY = re.compile(r"^(?:再次|衷心)?(?:感谢|谢谢)")
PLAN_SECTION = "下一步工作"  # heading of plan paragraphs that stand under no plan heading
CLOSING_SECTION = "结束语"

PLAN_WORDS = ("下步", "下一步", "今后", "工作安排", "工作打算", "计划", "思路", "下阶段")
DONE_WORDS = ("开展情况", "工作情况", "进展", "成效", "办理情况", "主要做法", "已")

HEADER_SCAN_LINES = 8
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
        Metadata lines (签发人, 联系人, 抄送, 附件, 公开属性) are in no section.
    """
    lines = clean_lines(text)
    if not lines:
        return ParsedDocument(DocMeta(doc_id=doc_id, title="", source=source), ())
    content, meta_lines = split_meta_lines(lines)
    header, body, footer = split_header_footer(content)
    title, number, addressee = header.get("title", ""), header.get("number", ""), header.get("addressee", "")
    origin = read_origin(
        footer.get("issuer", ""), header.get("heading", ""), title_issuer(title), title, addressee, number, body
    )
    date = footer.get("date") or header.get("date") or issue_date(meta_lines)
    meta = DocMeta(
        doc_id=doc_id,
        title=title,
        number=number,
        addressee=addressee,
        issuer=origin.issuer,
        date=date,
        source=source,
        subject=next((m.group(1) for line in body[:3] if (m := SUBJECT.search(line))), ""),
        jurisdiction=origin.jurisdiction,
        contact=parse_contact(meta_lines),
        origins=",".join(f"{field}={where}" for field, where in origin.sources),
    )
    return ParsedDocument(meta, tuple(parse_sections(body)))


def issue_date(meta_lines: list[str]) -> str:
    """The date of a `成文日期：…` line in the header, for a reply whose signature has none."""
    return next((parse_date(line) for line in meta_lines if ISSUE_DATE.match(line)), "")


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


def split_meta_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """Separate the lines about the document (签发人, 联系人, 抄送, 附件 …) from the rest."""
    content: list[str] = []
    meta: list[str] = []
    attachments = False  # inside a 附件 list, which goes on over numbered lines
    for line in lines:
        attachments = bool(ATTACHMENTS.match(line)) or (attachments and bool(ATTACHMENT_ITEM.match(line)))
        if attachments or META_LINE.match(line) or CATEGORY_LINE.match(line):
            meta.append(line)
        else:
            content.append(line)
    return content, meta


def split_header_footer(lines: list[str]) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Take title, number and addressee off the top, issuer and date off the bottom."""
    header, start, opening = read_header(lines)
    footer: dict[str, str] = {}
    end = len(lines)
    while end > start and len(lines[end - 1]) <= SHORT_LINE_MAX_CHARS:
        line = lines[end - 1]
        date = parse_date(line)
        if date and "date" not in footer and date_is_whole_line(TRAILING_NOTE.sub("", line)):
            footer["date"] = date
        elif ISSUER_HINT.search(line) and "issuer" not in footer and "。" not in line:
            footer["issuer"] = line
        else:
            break
        end -= 1
    return header, [*opening, *lines[start:end]], footer


def read_header(lines: list[str]) -> tuple[dict[str, str], int, list[str]]:
    """The header fields, where the body starts, and an opening sentence that shared the addressee's line."""
    header: dict[str, str] = {}
    for i, line in enumerate(lines[:HEADER_SCAN_LINES]):
        with_opening = ADDRESSEE_WITH_OPENING.match(line)
        if with_opening and "addressee" not in header:
            header["addressee"] = with_opening.group(1)
            return header, i + 1, [with_opening.group(2)]
        if is_body_start(line):
            return header, i, []
        number = DOC_NUMBER.search(line)
        heading = HEADING.match(line)
        if heading and not header:
            header["heading"] = heading.group(1)
        elif number and len(line) <= SHORT_LINE_MAX_CHARS and "number" not in header:
            header["number"] = normalize_number(number.group(0))
            if date := parse_date(line[number.end() :]):  # `杉浦民函【2024】31号　2024年8月9日`
                header["date"] = date
        elif is_addressee(line) and "addressee" not in header:
            header["addressee"] = line.rstrip("：:")
        elif "title" not in header and len(line) <= TITLE_MAX_CHARS and "。" not in line:
            header["title"] = line
        elif "title" in header and not header["title"].endswith(TITLE_END) and line.endswith(TITLE_END):
            header["title"] += line  # a title set over two lines
        else:
            return header, i, []
    return header, min(len(lines), HEADER_SCAN_LINES), []


def is_addressee(line: str) -> bool:
    """`人口资源环境委员会：` — not the opening `您提出的《…》收悉，现答复如下：`."""
    return line.endswith(("：", ":")) and len(line) <= SHORT_LINE_MAX_CHARS and not re.search("[《》。]|收悉", line)


def title_issuer(title: str) -> str:
    match = TITLE_ISSUER.match(title)
    return match.group(1) if match else ""


def parse_contact(meta_lines: list[str]) -> str:
    """`联系人：刘某某 联系电话：0123-4567802` → `刘某某 0123-4567802`, from wherever the two stand."""
    text = "\n".join(line for line in meta_lines if "联系" in line)
    name = CONTACT_NAME.search(text)
    phone = PHONE.search(text)
    return " ".join(part for part in (name and name.group(1), phone and phone.group(0)) if part)


def is_body_start(line: str) -> bool:
    return bool(PART_HEADING.match(line) or SECTION_HEADING.match(line)) or len(line) > TITLE_MAX_CHARS


# "2024年6月18日（此件公开发布）": a bracketed note after the date on the same line.
TRAILING_NOTE = re.compile(r"\s*[（(][^）)]{1,20}[）)]$")


def date_is_whole_line(line: str) -> bool:
    return len(re.sub(r"[\d年月日〇零一二三四五六七八九十○O.\-/\s]", "", line)) == 0


def parse_sections(lines: list[str]) -> list[Section]:
    """Group body lines under their part and section headings, splitting points.

    A part is done or plan by its heading. A paragraph opening 下一步/今后 under no plan
    heading starts a plan of its own: under the current heading, or, after the last heading
    (or in a reply without headings), as the reply's closing plan. A closing thanks is neither.
    """
    sections: list[Section] = []
    part: tuple[str, str] | None = None  # (heading, status)
    path: tuple[str, ...] = ()
    status = GENERAL
    paragraphs: list[str] = []
    closing_from = 1 + max((i for i, line in enumerate(lines) if is_heading(line)), default=-1)

    def start(new_path: tuple[str, ...], new_status: str) -> None:
        nonlocal path, status
        if paragraphs:
            sections.extend(split_points(path or ("正文",), status, paragraphs))
            paragraphs.clear()
        path, status = new_path, new_status

    for i, line in enumerate(lines):
        if is_part_heading(line):
            title = lead_sentence(line)
            part = (title, classify_status(title))
            start((title,), part[1])
            rest = line[len(title) :].lstrip("。：:")
            if rest:
                paragraphs.append(rest)
            continue
        if SECTION_HEADING.match(line):
            start((part[0], lead_sentence(line)) if part else (lead_sentence(line),), part[1] if part else GENERAL)
        elif PLAN_OPENER.match(line) and status != PLAN:
            start((PLAN_SECTION,) if i >= closing_from or not path else (*path, PLAN_SECTION), PLAN)
        elif COURTESY.match(line) and i == len(lines) - 1 and i >= closing_from:
            start((CLOSING_SECTION,), GENERAL)
        paragraphs.append(line)
    start((), GENERAL)  # closes the last section
    return sections


def is_heading(line: str) -> bool:
    return is_part_heading(line) or bool(SECTION_HEADING.match(line))


def is_part_heading(line: str) -> bool:
    """`二、下步工作安排`, or an unnumbered plan heading such as `下一步工作打算`."""
    match = PART_HEADING.match(line)
    return bool((match and is_heading_line(match.group(2))) or PLAN_HEADING.match(line))


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
