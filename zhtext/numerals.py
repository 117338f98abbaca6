"""Chinese numerals as they stand in official documents: 〇 to 九, 十 and 百."""

from __future__ import annotations

CN_DIGITS = "〇零一二三四五六七八九十百"


def chinese_numeral(text: str) -> int:
    """Value of a small Chinese numeral: 三 → 3, 十一 → 11, 二十三 → 23, 〇 → 0."""
    values = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}
    if "十" not in text:
        return int("".join(str(values[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (values[tens] if tens else 1) * 10 + (values[ones] if ones else 0)
