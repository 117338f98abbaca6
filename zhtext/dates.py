"""Dates in Chinese text: read (2023年11月23日, 二〇二三年十一月二十三日, 2023.11.23) and written."""

from __future__ import annotations

import re

from zhtext.numerals import CN_DIGITS, chinese_numeral

ARABIC_DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
CHINESE_DATE = re.compile(rf"([{CN_DIGITS}○O]{{4}})年([{CN_DIGITS}]{{1,3}})月([{CN_DIGITS}]{{1,3}})日")


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


def format_date_zh(iso_date: str) -> str:
    """2023-11-23 → 2023年11月23日; empty stays empty."""
    if not iso_date:
        return ""
    year, month, day = iso_date.split("-")
    return f"{year}年{int(month)}月{int(day)}日"
