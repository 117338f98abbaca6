"""The number a Chinese official document is issued under (发文字号): 吉民议字〔2023〕27号.

GB/T 9704-2012 writes its year in 六角括号 〔〕; published pages also use 【】, [] and ［］.
"""

from __future__ import annotations

import re

DOC_NUMBER = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,12}[〔\[［(（【]\d{4}[〕\]］)）】]\s*第?\d+\s*号")
BRACKETED_YEAR = re.compile(r"[〔\[［(（【](\d{4})[〕\]］)）】]")
# A number's code before its year: 机关代字 then the kind of document (函, 发, 字 …).
PREFIX = re.compile(r"^([\u4e00-\u9fff]+?)(?:[函发字复议提呈报通便]+)?[〔\[［(（【]")


def normalize_number(number: str) -> str:
    """The number as GB/T 9704 writes it: no spaces, the year in 〔〕 (禾湾民发[2022]88号 → 禾湾民发〔2022〕88号)."""
    return BRACKETED_YEAR.sub(r"〔\1〕", number.replace(" ", ""))


def number_code(number: str) -> str:
    """The 机关代字 of a number, without the kind of document: 杉浦民函〔2024〕31号 → 杉浦民."""
    match = PREFIX.match(number)
    return match.group(1) if match else ""
