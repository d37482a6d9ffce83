"""Period expressions (2026年, 1-9月, 前三季度, 今年, 十五五) found and resolved to ISO strings."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Callable

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
    role: str = "period"   # period | reset | anaphora | name (part of an event's name) | own (its sentence's only)
    guessed: bool = False  # the year is the publication's moved back (全年 in March), not the text's


_WITHIN = ("m1", "m2", "qa", "qb", "mfirst", "mo", "d", "mand", "part")
_VALUED = ("ytd", "ya", "yc", "plan", "y", "rel", "relmo", "m1", "qa", "qb", "mfirst", "mo", "part")  # groups that give a value
_ALONE = "_alone"


def _groups(m: re.Match) -> dict[str, Any]:
    """The match's groups by name, the standalone month/quarter groups under their plain names."""
    g = m.groupdict()
    if g["alone"]:  # else every standalone group is None
        for name in _WITHIN:
            g[name] = g[name] or g[name + _ALONE]
    return g


@cache
def _pattern() -> re.Pattern:
    data = rules.load("periods")
    rel = _alt(row["word"] for row in rules.require(data, "relative_years", list, "periods"))
    parts = _alt(row["word"] for row in rules.require(data, "parts_of_year", list, "periods"))
    relmo = _alt(row["word"] for row in rules.require(data, "relative_months", list, "periods"))
    ytd = _alt(rules.word_list("periods", "year_to_date"))
    plans = _alt(rules.require(data, "plans", dict, "periods"))
    resets = _alt(rules.word_list("periods", "reset_words"))
    anaphora = _alt(rules.word_list("periods", "anaphora"))
    terms = _alt(rules.require(data, "congress_first_year", dict, "periods"))
    # 较2015年 and 在2017年的基础上 are bases of comparison
    year = r"(?<![\d比较])(?P<y>(?:19|20)\d{2})年(?!的?基础上)"
    def within(tag: str) -> str:
        # `re` wants each group name once: the copy standing alone gets a suffix (see _groups).
        return (
            f"(?:(?P<m1{tag}>{_M})月?(?:份)?[-~至到、](?P<m2{tag}>{_M})月(?:份)?"
            f"|[前头](?P<qa{tag}>[1-4一二两三四])(?:个)?季度|(?:第)?(?P<qb{tag}>[1-4一二三四])季度"
            f"|[前头](?P<mfirst{tag}>{_M})(?:个)?月"  # 头4个月: Hong Kong usage
            f"|(?P<mo{tag}>{_M})月(?:份)?(?:(?P<d{tag}>{_D})[日号]|[末底](?!\\d))?(?:和(?P<mand{tag}>{_M})月)?"
            f"|(?P<part{tag}>{parts}))"
        )
    words = [row["word"] for key in ("relative_years", "relative_months", "parts_of_year") for row in data[key]]
    words += list(data["plans"]) + list(rules.word_list("periods", "reset_words"))
    words += list(rules.word_list("periods", "anaphora")) + list(data["congress_first_year"])
    words += list(rules.word_list("periods", "year_to_date"))
    first = "".join(sorted({w[0] for w in words} | set("0123456789一二三四五六七八九十两从前头第“\"")))
    # A leading class lets the engine skip quickly to where a period can start.  Compiled with
    # `re`, which scans it about twice as fast as `regex`.  Every form that starts with a digit
    # refuses one after a digit: unless a word does, the inside of a number is skipped at once.
    inside_number = "" if any(w[0].isdecimal() for w in words) else r"(?!(?<=\d)\d)"
    return re.compile(
        f"(?=[{re.escape(first)}]){inside_number}"
        f"(?P<span>(?<!\\d)(?P<ya>(?:19|20)\\d{{2}})年?[-~至到](?P<yb>(?:19|20)\\d{{2}})年"
        # before 今年: 今年以来 is the year so far (今年来华投资 is no 今年来)
        f"|(?<![比较于同与])(?P<ytd>{ytd})(?![华華自看到])"
        f"|从(?P<yc>(?:19|20)\\d{{2}})年?到(?P<yd>(?:19|20)\\d{{2}})年"
        f"|(?:{year}|(?<![比较于同与])(?P<rel>{rel})(?!的?基础上))(?:{within('')})?"
        f"|(?<![比较于同环与])(?P<relmo>{relmo})"
        # 较一季度提高, 比1—8月份回落, 与上半年持平: a period after a comparison's marker is its base,
        # and no period starts inside it either (比前三季度 holds no 三季度, 比1~8月 and 比1至2月 no month)
        f"|(?P<alone>(?<![\\d.比较于与前头第~\\-—、])(?<![\\d一二三四五六七八九十][至到])(?:{within(_ALONE)}))"
        f"|[“\"]?(?P<plan>{plans})[”\"]?"
        f"|(?P<reset>{resets})|(?P<ana>{anaphora})"
        f"|(?P<term>{terms})全国(?:人大|政协)(?:第)?(?P<session>[一二三四五])次(?:全体)?会议)"
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
    rel = {w: int(row["year_offset"]) for w, row in rules.rows_by_word(data, "relative_years", "periods").items()}
    parts = {w: tuple(row["months"]) for w, row in rules.rows_by_word(data, "parts_of_year", "periods").items()}
    plans = {k: tuple(v) for k, v in data["plans"].items()}
    relmo = {w: int(row["month_offset"])
             for w, row in rules.rows_by_word(data, "relative_months", "periods").items()}
    return rel, parts, plans, relmo


def _resolve(m: dict[str, Any], published: date | None, year_hint: int | None = None,
             doc_year: int | None = None) -> tuple[str | None, bool]:
    """The ISO value of a period match, and whether its year was guessed back from publication."""
    value = _value(m, published, year_hint, doc_year)
    guessed = (value is not None and published is not None and not _states_year(m)
               and year_of(value) == published.year - 1)
    return value, guessed


def _states_year(m: dict[str, Any]) -> bool:
    return any(m.get(k) for k in ("ytd", "ya", "yc", "plan", "y", "rel", "relmo"))


def _value(m: dict[str, Any], published: date | None, year_hint: int | None = None,
           doc_year: int | None = None) -> str | None:
    rel, parts, plans, relmo = _tables()
    g: Callable[[str], Any] = m.get  # groups are str or None; each is tested before use
    if g("relmo"):
        if published is None:
            return None
        months = published.year * 12 + published.month - 1 + relmo[g("relmo")]
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    if g("ytd"):
        return year_so_far(published)
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
        if published is not None:
            year = published.year + rel[g("rel")]
        elif year_hint is not None and rel[g("rel")] == 0:
            year = year_hint  # 2023年，…今年的目标: the paragraph names the current year
        elif doc_year is not None:
            year = doc_year + rel[g("rel")]  # 今年 in an undated text that names one session
        else:
            return None
        explicit = True
    elif published is None:
        if year_hint is None:
            return None
        year, explicit = year_hint, True
    else:
        year, explicit = published.year, False
    day = None
    if g("m1"):
        months = (_num(g("m1")), _num(g("m2")))
    elif g("qa"):
        months = (1, 3 * _num(g("qa").replace("两", "二")))
    elif g("qb"):
        q = _num(g("qb"))
        months = (3 * q - 2, 3 * q)
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
    if not explicit and published is not None and _mostly_ahead(months, published.month):
        year -= 1  # 1-11月 published in January, 全年 in March (a statistical bulletin): last year's
    return _iso(year, months[0], months[1], day)


def year_so_far(published: date | None) -> str | None:
    """The period of 今年以来 (the year so far): January to the month of publication."""
    return None if published is None else _iso(published.year, 1, published.month)


def _mostly_ahead(months: tuple[int, int], month: int) -> bool:
    """Whether less than half of the months `months` spans had begun by `month`: a figure for it
    is then the last one's (全年 in March), while a span mostly run (全年任务 in October) is this
    year's."""
    first, last = months
    return first > month or (last > month and 2 * (month - first + 1) < last - first + 1)


def find(text: str, published: date | None) -> list[Period]:
    """Every period expression in normalised `text`, resolved against `published`.

    Without a publication date, a month or day takes the year that the same paragraph states
    (2023年…2月8日) or that a named event fixes (十四届全国人大四次会议 → 2026).
    """
    terms = rules.load("periods")["congress_first_year"]
    matches = [(m.start(), m.end(), _groups(m)) for m in _pattern().finditer(text)]
    anchors = []  # (position, year) of explicit years and named events
    for start, _, g in matches:
        if g["y"]:
            anchors.append((start, int(g["y"])))
        elif g["term"]:
            anchors.append((start, terms[g["term"]] + _num(g["session"]) - 1))
    # The year of the article itself, when undated: the one year its named events fix
    # (rule 9), read by relative years only (今年 → 2026; a bare 1—9月 stays unknown).
    event_years = {terms[g["term"]] + _num(g["session"]) - 1 for _, _, g in matches if g["term"]}
    doc_year = next(iter(event_years)) if published is None and len(event_years) == 1 else None
    out = []
    stated = None  # the year of the last period that states one (2023年, 去年, 今年以来)
    topic = None   # the last year that opens a statement (2015年,全县…), not a base (2015年以来)
    for start, end, g in matches:
        if g["reset"]:
            out.append(Period(start, end, None, "reset"))
        elif g["ana"]:
            out.append(Period(start, end, None, "anaphora"))
        elif any(map(g.__getitem__, _VALUED)):
            hint = _year_hint(text, start, anchors) if published is None else None
            role = "name" if _event_name().match(text, end) or (g["plan"] and _plan_name().match(text, end)) \
                else "period"
            if (role == "period" and g["part"] and not _states_year(g)
                    and text.startswith(_target_words()[0], end) and text.endswith(_target_words()[1], 0, start)):
                role = "own"  # 完成全年任务: the period of its own sentence only
            value, guessed = _resolve(g, published, hint, doc_year)
            if _states_year(g):
                stated = year_of(value)
                if g["y"] and not g["part"] and text[end:end + 1] in _TOPIC_YEAR_END:
                    topic = int(g["y"])
            elif (g["part"] and published and not guessed and value is not None and len(value) == 4
                  and stated == int(value) - 1):
                # 2023年,慈溪…。在财政收入方面,慈溪全年实现… in November 2024: a whole year (全年, 年末)
                # with no year of its own, where the last year stated is the one before, is that one
                value, guessed = shift_years(value, -1), True
            elif (g["part"] and guessed and value is not None and len(value) == 4
                  and topic is not None and topic < int(value)):
                # 2015年,全县…。全年粮食总产量… published in March 2023: a bulletin's 全年 is the year
                # it opened a statement with, not the one before publication
                value = shift_years(value, topic - int(value))
            if g["part"] in _running_words() and out and value is not None:
                last = out[-1]  # 1-8月份,…;其中本年新开工项目…: the year so far is that span
                if (last.value and cumulative(last.value, value[:4])
                        and text.find("\n", last.end, start) < 0):
                    value, guessed = last.value, last.guessed
            out.append(Period(start, end, value, role, guessed))
    return out


# What follows a year that opens a statement (2015年,全县…), unlike a span's start (2015年以来).
_TOPIC_YEAR_END = frozenset(",，")


@cache
def _running_words() -> frozenset[str]:
    return frozenset(rules.word_list("periods", "running_year"))


def cumulative(value: str, year: str) -> bool:
    """Whether `value` runs from January of `year` to a month before its end (2020-01/2020-09)."""
    return len(value) == 15 and value.startswith(year + "-01/" + year) and value[-2:] != "12"


@cache
def _event_name() -> re.Pattern:
    """What follows a period that opens an event's name (2023年第一季度招商引资集中签约仪式)."""
    data = rules.load("periods")
    reach = int(rules.require(data, "event_name_reach", int, "periods"))
    return re.compile(f"[^，,。；;：:、\n]{{0,{reach}}}?(?:{_alt(rules.word_list('periods', 'event_names'))})")


@cache
def _target_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return rules.word_list("periods", "year_target_words"), rules.word_list("periods", "year_target_verbs")


@cache
def _plan_name() -> re.Pattern:
    """What follows a plan's name that makes it the name of an event (“十四五”圆满收官)."""
    return re.compile(f"(?:规划|規劃)?的?(?:{_alt(rules.word_list('periods', 'plan_name_words'))})")


def _year_hint(text: str, pos: int, anchors: list[tuple[int, int]]) -> int | None:
    """The year stated nearest to `pos` within its paragraph, if any."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    b = len(text) if b < 0 else b
    near = [(abs(p - pos), y) for p, y in anchors if a <= p < b]
    return min(near)[1] if near else None


_SPAN = re.compile(r"(\d{4})/(\d{4})")


@cache
def _range_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return rules.word_list("periods", "range_from"), rules.word_list("periods", "range_to")


def span_end(period: str | None, sentence: str, before: str) -> str | None:
    """The year of a span of years (`period`, 2002/2006, written out in `sentence`) that a figure
    takes as its start or end point (由1734亿元 → 2002, 增加到了4790亿元 → 2006), from the text of its
    clause `before` it; None when the figure is not such a point."""
    m = _SPAN.fullmatch(period) if period else None
    if m is None or f"{m.group(1)}年" not in sentence:
        return None  # not a span, or a plan's (十三五): its first value is the year before it
    origin, target = _range_words()
    tail = before.rstrip()
    if tail.endswith(origin):
        return m.group(1)
    if tail.endswith(target) and any(w in tail for w in origin):
        return m.group(2)
    return None


@cache
def _bracketed_base() -> tuple[re.Pattern, dict[str, int]]:
    rows = rules.rows_by_word(rules.load("periods"), "bracketed_base", "periods")
    offsets = {w: int(row["year_offset"]) for w, row in rows.items()}
    return re.compile(f"[比较]({_alt(offsets)})[(（]$"), offsets


def base_period(period: str | None, before: str) -> str | None:
    """The period of a figure in brackets right after a comparison's base, given the text `before`
    it (…较上年( with the claim's `period` 2020 → 2019); None when it stands after no such base."""
    if not period:
        return None
    pattern, offsets = _bracketed_base()
    m = pattern.search(before)
    if m is None:
        return None
    return shift_years(period, offsets[m.group(1)])


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def shift_years(period: str, years: int) -> str:
    """`period` moved by `years` (2020-01/2020-06 by -1 → 2019-01/2019-06)."""
    return _YEAR.sub(lambda y: f"{int(y.group(1)) + years:04d}", period)


def year_of(period: str | None) -> int | None:
    """The last year a period value covers (2026-01/2026-09 → 2026, 2026/2030 → 2030)."""
    if not period:
        return None
    return int(period.split("/")[-1][:4])
