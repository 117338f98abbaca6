"""Answers, search results and the staff page's document table as HTML; answers as a script to read out.

Pure functions.
"""

from __future__ import annotations

import dataclasses
import re
from html import escape

from bot.datafiles import say
from bot.records import Answer, Citation, Hit
from bot.serve.admin import DocumentRow
from zhtext.dates import format_date_zh
from zhtext.tokens import keywords

STATUS_BADGE = {"done": "已开展的工作", "plan": "下一步计划", "general": ""}
CITE_MARK = re.compile(r"\[(\d+)\]")
# China's government service hotlines are five digits starting 123 (12345, 12333, 12393 …);
# a longer digit run (a phone number that contains 12345) is not one.
HOTLINE = re.compile(r"(?<!\d)(123\d\d)(?!\d)")


def call_links(escaped: str) -> str:
    """Make each hotline number in already-escaped HTML a tap-to-call `tel:` link."""
    return HOTLINE.sub(r'<a href="tel:\1" class="yl-tel">\1</a>', escaped)


def message_html(text: str) -> str:
    """A plain chat message (a service error, say) as the chat shows an answer."""
    return f'<div class="yl-answer">{call_links(escape(text))}</div>'


def writing_html(text: str) -> str:
    """An LLM answer still being written: its sentences verified so far, no sources yet."""
    marked = CITE_MARK.sub(r"<sup>[\1]</sup>", call_links(escape(text)))
    return f'<div class="yl-writing" aria-busy="true">{marked}</div>'


def highlight(text: str, spans: list[str]) -> str:
    """Escape `text` and wrap each occurrence of the given spans in <mark>."""
    spans = sorted({s for s in spans if s and s in text}, key=len, reverse=True)
    if not spans:
        return escape(text)
    pattern = re.compile("|".join(re.escape(s) for s in spans))
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last : match.start()]), f"<mark>{escape(match.group(0))}</mark>"]
        last = match.end()
    return "".join([*out, escape(text[last:])])


def source_line(hit: Hit) -> str:
    """吉林省民政厅《…的答复》吉民议字〔2023〕27号 2023年11月23日"""
    meta = hit.meta
    document = meta.issuer + (f"《{meta.title}》" if meta.title else "")
    return " ".join(p for p in (document, meta.number, format_date_zh(meta.date)) if p)


def source_card(citation: Citation, open_: bool = False) -> str:
    """A collapsible card: the document, its section path, the paragraph with cited sentences marked."""
    hit = citation.hit
    badge = STATUS_BADGE.get(hit.chunk.status, "")
    badge_html = f'<span class="yl-badge yl-{hit.chunk.status}">{badge}</span>' if badge else ""
    return (
        f'<details class="yl-source"{" open" if open_ else ""}>'
        f"<summary>[{citation.n}] 来源：{escape(source_line(hit))}</summary>"
        f'<div class="yl-section">{escape(hit.chunk.section)} {badge_html}</div>'
        f'<p class="yl-paragraph">{highlight(hit.chunk.text, list(citation.sentences))}</p>'
        "</details>"
    )


def answer_html(answer: Answer) -> str:
    """The chat message: the answer with its [n] marks, then one source card per citation."""
    text = CITE_MARK.sub(r"<sup>[\1]</sup>", call_links(escape(answer.text)))
    cards = "".join(source_card(citation) for citation in answer.citations)
    return f'<div class="yl-answer">{text}</div>{cards}'


def newest_first(hits: list[Hit]) -> list[Hit]:
    """The desk's order: by relevance, except that one issuer's paragraphs read newest reply first.

    An issuer's hits keep the places they hold in the ranking and are re-dealt into them by
    date, so a 2024 reply that updates a 2023 figure is read before it. Ranks are renumbered.
    """
    places: dict[str, list[int]] = {}
    for position, hit in enumerate(hits):
        places.setdefault(hit.meta.issuer, []).append(position)
    ordered = list(hits)
    for positions in places.values():
        by_date = sorted((hits[p] for p in positions), key=lambda hit: hit.meta.date or "0000", reverse=True)
        for position, hit in zip(positions, by_date, strict=True):
            ordered[position] = hit
    return [dataclasses.replace(hit, rank=rank) for rank, hit in enumerate(ordered, start=1)]


def hits_html(hits: list[Hit], query: str, covered: bool = True) -> str:
    """Ranked original paragraphs for the hotline desk, with the query's words marked.

    Args:
        hits: the paragraphs, best first.
        query: what the worker typed; its words are highlighted.
        covered: whether the documents answer the query; if not, a warning comes first.
    """
    if not hits:
        return f'<p class="yl-empty">{say("ui_desk_no_hits")}</p>'
    warning = "" if covered else f'<p class="yl-warning" role="note">{escape(say("ui_desk_not_covered"))}</p>'
    words = [w for w in keywords(query) if len(w) > 1] or [query.strip()]
    cards = []
    for hit in hits:
        badge = STATUS_BADGE.get(hit.chunk.status, "")
        cards.append(
            f'<div class="yl-hit"><div class="yl-hit-head">{hit.rank}. {escape(hit.chunk.section)}'
            f"{f' <span class=yl-badge>{badge}</span>' if badge else ''}"
            f'<span class="yl-score">相关度 {hit.score:.3f}</span></div>'
            f'<div class="yl-hit-source">{escape(source_line(hit))}</div>'
            f'<p class="yl-paragraph">{highlight(hit.chunk.text, words)}</p></div>'
        )
    return warning + "".join(cards)


def read_out_script(answer: Answer) -> str:
    """What a hotline worker reads to a caller: the answer, then where it comes from."""
    lines = [CITE_MARK.sub("", answer.text)]
    for citation in answer.citations:
        meta = citation.hit.meta
        lines.append(
            say(
                "citation_line",
                issuer=meta.issuer,
                title=meta.title,
                number=meta.number,
                date_zh=format_date_zh(meta.date),
                section=citation.hit.chunk.section,
            )
        )
    return "\n".join(lines)


DOCUMENT_COLUMNS = (
    ("文件", "source", ""),
    ("标题", "title", ""),
    ("文号", "number", ""),
    ("发文单位", "issuer", "发文单位不明"),
    ("地区", "jurisdiction", "地区不明"),
    ("日期", "date", "日期不明"),
)


def documents_html(rows: list[DocumentRow]) -> str:
    """The staff page's table of indexed replies: what each says about itself, what its text does
    not say flagged (in red, with ⚠ for those who cannot tell red), and what staff corrected marked."""
    head = "".join(f'<th scope="col">{label}</th>' for label, _, _ in DOCUMENT_COLUMNS) + '<th scope="col">片段数</th>'
    body = []
    for row in rows:
        cells = []
        for _, field, unknown in DOCUMENT_COLUMNS:
            value = getattr(row, field)
            if not value and unknown:
                cells.append(f'<td><span class="yl-unknown">⚠ {unknown}</span></td>')
                continue
            mark = '<span class="yl-corrected">（已更正）</span>' if field in row.corrected else ""
            cells.append(f"<td>{escape(value)}{mark}</td>")
        body.append(f"<tr>{''.join(cells)}<td>{row.chunks}</td></tr>")
    return f'<table class="yl-doc-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
