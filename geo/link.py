"""Give each claim the place its clause is about (GUIDELINES.md rule 6)."""
from __future__ import annotations

import bisect
from bisect import bisect_left, bisect_right
import functools
import operator
import re
from dataclasses import dataclass, field, replace

from . import gazetteer, names
from .mentions import Mention, ancestors, chain, group, lca, scan
from .resolve import cues, focus, resolve
from .text import Layout, layout

COUNTRY = "100000"


@dataclass(frozen=True)
class Span:
    """The fields `link` reads and writes: a stand-in for a claim when geo is used on its own."""

    start: int
    end: int
    place: str | None = None
    province: str | None = None
    adcode: str | None = None
    place_level: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Analysis:
    """Everything linking found in one text: mentions (resolved or not) and the focus place."""

    text: str
    layout: Layout
    mentions: list[Mention]
    focus: str | None
    governing: list[Mention] = field(default_factory=list)   # those that can be a claim's place
    starts: list[int] = field(default_factory=list)
    sentence_of: list[int] = field(default_factory=list)     # each governing mention's sentence index
    earlier: dict = field(default_factory=dict, repr=False, compare=False)  # _earlier_sentence by sentence
    ends: dict = field(default_factory=dict, repr=False, compare=False)     # end offset → mention ending there


def analyse(text: str) -> Analysis:
    """Find and resolve every place mention in `text`."""
    simple, chars = names.simplify(text)
    lay = layout(simple, chars)
    ms = chain(simple, scan(simple, lay))
    resolve(ms, lay)
    ms = group(simple, ms)
    cues(ms, None)          # first from the text before each cue,
    if any(m.kind == "cue" and m.place is None for m in ms):
        cues(ms, focus(ms, lay, orgs=True))  # then, for cues with nothing before them, the focus
    f = focus(ms, lay)
    if f == COUNTRY and any(m.kind == "cue" and m.place is None and m.cue_level != "any" for m in ms):
        # 全省规模以上工业增加值增长8.5%，居全国第8位 with no province named: the article is about an
        # area it does not name, and the country it is compared with is not that area.
        f = None
    gov = [m for m in ms if m.governs]
    starts = [m.start for m in gov]
    sentences = lay.sentences
    ends = {m.end: m for m in ms if m.place and not m.org and not m.dateline}
    return Analysis(simple, lay, ms, f, gov, starts, [bisect.bisect_right(sentences, s) for s in starts], ends=ends)


def place_for(a: Analysis, start: int, end: int) -> Mention | None:
    """The mention that governs the span [start, end), following the scope order.

    Its own clause before it, then its sentence before it (clause heads first), then the
    nearest earlier sentence of its section that names places (several places there stand
    for their smallest common area: 其中,A 10个,B 3个。从规模看,26个… → their city), then
    the first place after it in its clause, sentence, paragraph and section.
    """
    return _place(a, start, end, bisect_left(a.starts, start), bisect_right(a.layout.clauses, start))


_UNSEEN = object()


def _earlier_sentence(a: Analysis, ss: int, i_ss: int) -> Mention | None:
    """The place of the nearest earlier sentence of its section that names places, for claims
    in the sentence starting at `ss` (`i_ss`: its first governing mention's index), or None.

    The same for every claim of the sentence: a sentence lies in one section.
    """
    ms = a.governing
    lo, _ = a.layout.section(ss)
    # The mentions of the last sentence before this one in the section that has any (sentence
    # indexes rise with the mentions, so they are the run ending at the nearest one).
    sent = a.sentence_of
    first, k = bisect_left(a.starts, lo), i_ss - 1
    while k >= first and ms[k].end > ss:
        k -= 1
    if k < first:
        return None
    last, same = sent[k], []
    while k >= first and sent[k] == last:
        if ms[k].end <= ss:
            same.append(ms[k])
        k -= 1
    if len(same) == 1:
        return same[0]  # what the rules below give for one mention
    same.reverse()
    code = lca(sorted({m.place for m in same if m.place is not None}))
    nested = [m for m in same if code in ancestors(m.place)]
    deepest = max(reversed(nested), key=lambda m: len(ancestors(m.place)) + (m.kind == "zone"))
    if all(m.place in ancestors(deepest.place) for m in same):
        return deepest  # one chain of places (上海…石泉街道): the most specific
    return Mention(same[0].start, same[-1].end, "", "group", (code,), place=code, members=same)


def _place(a: Analysis, start: int, end: int, j: int, ci: int) -> Mention | None:
    """`place_for`, given j = bisect_left(a.starts, start) and ci = bisect_right(clauses, start).

    The governing mentions start strictly in order (scan, chain and group keep them so), and
    every sentence, paragraph and section boundary is also a clause boundary, so walks along
    the mentions replace most bisections and clause comparisons.
    """
    ms = a.governing
    starts = a.starts
    lay = a.layout
    cl = lay.clauses[ci - 1]
    # Its clause before it: the nearest mention ending before the claim (all are in its clause).
    i_cl = bisect_left(starts, cl)
    k = j - 1
    while k >= i_cl and ms[k].end > start:
        k -= 1
    if k >= i_cl:
        pick = ms[k]
        # Within one clause, a mention inside the picked one's area is more specific (上海…宝山).
        code = pick.place
        for q in range(k - 1, i_cl - 1, -1):
            m = ms[q]
            if m.end <= pick.start and m.place and m.place != code and code in ancestors(m.place):
                return m
        return pick
    # Its sentence before it: the walk goes on from the clause's first mention; what it finds
    # lies in an earlier clause, so a clause head ending before the claim is preferred.
    sentences = lay.sentences
    ss = sentences[bisect_right(sentences, start) - 1]
    i_ss = bisect_left(starts, ss)
    while k >= i_ss and ms[k].end > start:
        k -= 1
    if k >= i_ss:
        for q in range(k, i_ss - 1, -1):
            m = ms[q]
            if m.initial and m.end <= start:
                return m
        return ms[k]
    hit = a.earlier.get(ss, _UNSEEN)
    if hit is _UNSEEN:
        hit = a.earlier[ss] = _earlier_sentence(a, ss, i_ss)
    if hit is not None:
        return hit
    # After it: the first governing mention from its end on, if it starts inside its clause,
    # sentence, paragraph or section (whichever holds it, it is the same mention).
    i = bisect_left(starts, end)
    if i == len(ms):
        return None
    after = ms[i]
    if after.start < lay.clause(start)[1] or after.start < lay.sentence(start)[1] \
            or after.start < lay.paragraph(start)[1] or after.start < lay.section(start)[1]:
        return after
    return None


PLACE_FIELDS = ("place", "province", "adcode", "place_level", "lat", "lon")


@functools.lru_cache(maxsize=4096)
def _values(code: str, zone: str | None) -> tuple:
    f = fields_for(code, zone)
    return tuple(f[k] for k in PLACE_FIELDS)


def fields_for(code: str | None, zone: str | None = None) -> dict:
    """The claim fields for a division adcode (and optional functional area under it)."""
    if code is None:
        return {}
    p = gazetteer.place(code)
    prov = gazetteer.place(p["province"])["name"] if p["province"] else "中国"
    lat, lon = gazetteer.centroid(code) or (None, None)
    out = {"place": p["full_name"], "province": prov, "adcode": code, "place_level": p["level"],
           "lat": lat, "lon": lon}
    if zone:
        out["place"] = p["full_name"] + zone if code != "100000" else zone
        out["place_level"] = "zone"
    return out


def places(text: str, spans) -> list[tuple | None]:
    """For each (start, end) in `spans`, the values of PLACE_FIELDS its text gives, or None.

    What `link` writes into claims, for a caller that builds its claims after linking
    (one construction per claim instead of two).
    """
    spans = list(spans)
    if not spans:
        return []
    return _places(analyse(text), spans)


# Between two figures of one run that 分别 hands out (10.63亿吨和10.01亿吨, 9席、8席、7席).
_RUN_JOIN = re.compile(r"[、和及与]|以及")


def _respectively(a: Analysis, spans: list) -> dict[int, Mention]:
    """Claims (by index) that 分别 gives one by one to the places of a list before it in the
    sentence: 山西和内蒙古产量分别为10.63亿吨和10.01亿吨 (each run of as many figures as places)."""
    text, out = a.text, {}  # type: str, dict[int, Mention]
    for g in a.mentions:
        if g.kind != "group" or g.obj or len(g.members) < 2 or not all(m.place for m in g.members):
            continue
        s_end = a.layout.sentence(g.start)[1]
        at = text.find("分别", g.end, s_end)
        if at < 0 or _RUN_JOIN.search(text, g.end, at) or any(
                g.end <= m.start < at and m.place and m.kind != "country" for m in a.mentions):
            # not the list's 分别: another place or list (两市的工业和服务业分别) comes between; the
            # country may (宁夏、青海是我国西北部的两个省区,分别只有728万、595万人)
            continue
        runs: list[list[int]] = []
        for i, (s, e) in enumerate(spans):
            if at < s < s_end:
                if runs and _RUN_JOIN.fullmatch(text, spans[runs[-1][-1]][1], s):
                    runs[-1].append(i)
                else:
                    runs.append([i])
        for run in runs:
            if len(run) == len(g.members):
                out.update(zip(run, g.members))
    return out


def _places(a: Analysis, spans) -> list[tuple | None]:
    spans = spans if isinstance(spans, list) else list(spans)
    out = _governed(a, spans)
    if "分别" in a.text:  # few texts: lists are read for it only there
        for i, m in _respectively(a, spans).items():
            out[i] = _values(m.place, m.zone if m.kind == "zone" else None)
    return out


def _governed(a: Analysis, spans: list) -> list[tuple | None]:
    """Each span's place values from the mention that governs it, else the focus."""
    starts, clauses = a.starts, a.layout.clauses
    n = len(starts)
    at_focus = _values(a.focus, None) if a.focus else None
    out: list[tuple | None] = []
    memo: dict[tuple, object] = {}
    for start, end in spans:
        # Claims between the same mentions and in the same clause share a place; the clause is
        # keyed by its index among the (strictly increasing) boundaries, which also fixes its
        # sentence, paragraph and section (their boundaries are clause boundaries too).
        j = bisect_left(starts, start)
        # Mostly no mention starts inside the claim, and its end falls before the same one.
        if j == n or starts[j] >= end:
            e = j if end >= start else bisect_left(starts, end)
        else:
            e = bisect_left(starts, end, j)
        ci = bisect_right(clauses, start)
        key = (j, e, ci)
        values = memo.get(key, _UNSEEN)  # mostly new: a miss raising KeyError would cost more
        if start and a.text[start - 1] in "(（" and (named := a.ends.get(start - 1)) is not None:
            # 高于全省(6.3%)、金华(6.7%), 慈溪(2639亿): a figure in brackets right after a place is
            # that place's, though the place be a benchmark that governs nothing else.
            out.append(_values(named.place, named.zone if named.kind == "zone" else None))
            continue
        if values is _UNSEEN:
            m = _place(a, start, end, j, ci)
            if m is None:
                values = at_focus
            else:
                values = _values(m.place, m.zone if m.kind == "zone" else None) if m.place else None
            memo[key] = values
        out.append(values)  # type: ignore[arg-type]  # a tuple or None once seen
    return out


_START_END = operator.attrgetter("start", "end")


def link(text: str, claims: list, published=None) -> list:
    """Copies of `claims` (dataclasses) with place, province, adcode, place_level, lat and lon
    filled from `text`; the extractor builds its claims after `places` instead."""
    if not claims:
        return list(claims)
    return [replace(c, **dict(zip(PLACE_FIELDS, values))) if values else c
            for c, values in zip(claims, _places(analyse(text), map(_START_END, claims)))]
