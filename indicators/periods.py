"""Period expressions (2026年, 1-9月, 前三季度, 今年, 十五五) found and resolved to ISO strings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import regex

from . import numerals, rules
from .scan import _alt

_M = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_D = r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"


@dataclass(frozen=True, slots=True)
class Period:
    """A period expression: its span, and its ISO value (None when the year cannot be known)."""

    start: int
    end: int
    value: str | None
    role: str = "period"   # period | reset | anaphora


@cache
def _pattern() -> regex.Pattern:
    data = rules.load("periods")
    rel = _alt(row["word"] for row in rules.require(data, "relative_years", list, "periods"))
    parts = _alt(row["word"] for row in rules.require(data, "parts_of_year", list, "periods"))
    plans = _alt(rules.require(data, "plans", dict, "periods"))
    resets = _alt(rules.word_list("periods", "reset_words"))
    anaphora = _alt(rules.word_list("periods", "anaphora"))
    year = r"(?<!\d)(?P<y>(?:19|20)\d{2})年?"
    within = (
        f"(?:(?P<m1>{_M})月?(?:份)?[-~至到](?P<m2>{_M})月(?:份)?"
        f"|前(?P<mfirst>{_M})(?:个)?月"
        f"|(?P<mo>{_M})月(?:份)?(?:(?P<d>{_D})[日号])?(?:和(?P<mand>{_M})月)?"
        f"|(?P<part>{parts}))"
    )
    return regex.compile(
        f"(?P<span>(?<!\\d)(?P<ya>(?:19|20)\\d{{2}})年?[-~至到](?P<yb>(?:19|20)\\d{{2}})年"
        f"|从(?P<yc>(?:19|20)\\d{{2}})年?到(?P<yd>(?:19|20)\\d{{2}})年"
        f"|(?:{year}|(?<![比较于同])(?P<rel>{rel}))(?:{within})?"
        f"|(?<![\\d.])(?:{within})"
        f"|[“\"]?(?P<plan>{plans})[”\"]?"
        f"|(?P<reset>{resets})|(?P<ana>{anaphora}))"
    )


def _num(s: str) -> int:
    return int(s) if s[0].isdigit() else int(numerals.parse_chinese(s))


def _iso(year: int, m1: int, m2: int, day: int | None = None) -> str:
    if day is not None:
        return f"{year:04d}-{m1:02d}-{day:02d}"
    if (m1, m2) == (1, 12):
        return f"{year:04d}"
    if m1 == m2:
        return f"{year:04d}-{m1:02d}"
    return f"{year:04d}-{m1:02d}/{year:04d}-{m2:02d}"


@cache
def _tables():
    data = rules.load("periods")
    rel = {row["word"]: int(row["year_offset"]) for row in data["relative_years"]}
    parts = {row["word"]: tuple(row["months"]) for row in data["parts_of_year"]}
    plans = {k: tuple(v) for k, v in data["plans"].items()}
    return rel, parts, plans


def _resolve(m, published: date | None) -> str | None:
    rel, parts, plans = _tables()
    g = m.group
    if g("ya"):
        return f"{g('ya')}/{g('yb')}"
    if g("yc"):
        return f"{g('yc')}/{g('yd')}"
    if g("plan"):
        a, b = plans[g("plan")]
        return f"{a}/{b}"
    if g("y"):
        year, explicit = int(g("y")), True
    elif g("rel"):
        if published is None:
            return None
        year, explicit = published.year + rel[g("rel")], True
    else:
        if published is None:
            return None
        year, explicit = published.year, False
    day = None
    if g("m1"):
        months = (_num(g("m1")), _num(g("m2")))
    elif g("mfirst"):
        months = (1, _num(g("mfirst")))
    elif g("mo"):
        first = _num(g("mo"))
        months = (first, _num(g("mand")) if g("mand") else first)
        day = _num(g("d")) if g("d") and not g("mand") else None
    elif g("part"):
        months = parts[g("part")]
    else:
        return f"{year:04d}" if (g("y") or g("rel")) else None
    if not (1 <= months[0] <= months[1] <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    if not explicit and published is not None and months[0] > published.month:
        year -= 1  # figures for 1-11月 published in January are last year's
    return _iso(year, months[0], months[1], day)


def find(text: str, published: date | None) -> list[Period]:
    """Every period expression in normalised `text`, resolved against `published`."""
    out = []
    for m in _pattern().finditer(text):
        if m.group("reset"):
            out.append(Period(m.start(), m.end(), None, "reset"))
        elif m.group("ana"):
            out.append(Period(m.start(), m.end(), None, "anaphora"))
        else:
            if not any(m.group(k) for k in ("ya", "yc", "plan", "y", "rel", "m1", "mfirst", "mo", "part")):
                continue
            out.append(Period(m.start(), m.end(), _resolve(m, published)))
    return out


def year_of(period: str | None) -> int | None:
    """The last year a period value covers (2026-01/2026-09 → 2026, 2026/2030 → 2030)."""
    if not period:
        return None
    return int(period.split("/")[-1][:4])
