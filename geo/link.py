"""Give each claim the place its clause is about (GUIDELINES.md rule 6)."""
from __future__ import annotations

import bisect
import dataclasses
import functools
import inspect
import operator
from dataclasses import dataclass, field

from . import gazetteer, names
from .mentions import Mention, ancestors, chain, group, lca, scan
from .resolve import cues, focus, resolve
from .text import Layout, layout


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


def analyse(text: str) -> Analysis:
    """Find and resolve every place mention in `text`."""
    simple, chars = names.simplify(text)
    lay = layout(simple)
    ms = chain(simple, scan(simple, lay, chars))
    resolve(ms, lay)
    ms = group(simple, ms)
    cues(ms, None)          # first from the text before each cue,
    cues(ms, focus(ms, lay, orgs=True))  # then, for cues with nothing before them, the focus
    f = focus(ms, lay)
    gov = [m for m in ms if m.governs]
    starts = [m.start for m in gov]
    sentences = lay.sentences
    return Analysis(simple, lay, ms, f, gov, starts, [bisect.bisect_right(sentences, s) for s in starts])


def _before(a: Analysis, lay: Layout, lo: int, claim_start: int) -> Mention | None:
    """The governing mention in [lo, claim_start) ending before the claim, nearest first; a
    clause head instead when the nearest is in another clause than the claim."""
    gov = a.governing
    i, j = bisect.bisect_left(a.starts, lo), bisect.bisect_left(a.starts, claim_start)
    for k in range(j - 1, i - 1, -1):
        nearest = gov[k]
        if nearest.end <= claim_start:
            break
    else:
        return None
    if lay.clause(nearest.start) == lay.clause(claim_start):
        return nearest
    for m in reversed(gov[i:k + 1]):
        if m.initial and m.end <= claim_start:
            return m
    return nearest


def _specific(a: "Analysis", lo: int, pick: Mention) -> Mention:
    """Within one clause, a mention inside the picked one's area is more specific (上海…宝山)."""
    i, j = bisect.bisect_left(a.starts, lo), bisect.bisect_left(a.starts, pick.start)
    for m in reversed(a.governing[i:j]):
        if m.end <= pick.start and m.place and m.place != pick.place and pick.place in ancestors(m.place):
            return m
    return pick


def place_for(a: Analysis, start: int, end: int) -> Mention | None:
    """The mention that governs the span [start, end), following the scope order.

    Its own clause before it, then its sentence before it (clause heads first), then the
    nearest earlier sentence of its section that names places (several places there stand
    for their smallest common area: 其中,A 10个,B 3个。从规模看,26个… → their city), then
    the first place after it in its clause, sentence, paragraph and section.
    """
    ms = a.governing
    lay = a.layout
    cl, ce = lay.clause(start)
    hit = _before(a, lay, cl, start)
    if hit:
        return _specific(a, cl, hit)
    ss, _ = lay.sentence(start)
    hit = _before(a, lay, ss, start)
    if hit:
        return hit
    lo, _ = lay.section(start)
    # The mentions of the last sentence before this one in the section that has any (sentence
    # indexes rise with the mentions, so they are the run ending at the nearest one).
    sent = a.sentence_of
    first, k = bisect.bisect_left(a.starts, lo), bisect.bisect_left(a.starts, ss) - 1
    while k >= first and ms[k].end > ss:
        k -= 1
    if k >= first:
        last, same = sent[k], []
        while k >= first and sent[k] == last:
            if ms[k].end <= ss:
                same.append(ms[k])
            k -= 1
        same.reverse()
        code = lca(sorted({m.place for m in same}))
        nested = [m for m in same if code in ancestors(m.place)]
        deepest = max(reversed(nested), key=lambda m: len(ancestors(m.place)) + (m.kind == "zone"))
        if all(m.place in ancestors(deepest.place) for m in same):
            return deepest  # one chain of places (上海…石泉街道): the most specific
        return Mention(same[0].start, same[-1].end, "", "group", (code,), place=code, members=same)
    # After it: the first governing mention from its end on, if it starts inside its clause,
    # sentence, paragraph or section (whichever holds it, it is the same mention).
    i = bisect.bisect_left(a.starts, end)
    if i == len(ms):
        return None
    after = ms[i]
    if after.start < ce or after.start < lay.sentence(start)[1] or after.start < lay.paragraph(start)[1] \
            or after.start < lay.section(start)[1]:
        return after
    return None


PLACE_FIELDS = ("place", "province", "adcode", "place_level", "lat", "lon")


@functools.lru_cache(maxsize=4096)
def _values(code: str, zone: str | None) -> tuple:
    f = fields_for(code, zone)
    return tuple(f[k] for k in PLACE_FIELDS)


@functools.lru_cache(maxsize=64)
def _rebuilder(cls: type):
    """A fast `dataclasses.replace` of the place fields for `cls`, or None where it would differ.

    replace() passes every init field to the constructor by keyword; when the constructor takes
    exactly the init fields, positionally and in order, passing them positionally is the same
    call without replace()'s per-field bookkeeping (a sixth of linking's time).
    """
    if not dataclasses.is_dataclass(cls):
        return None
    init = [f.name for f in dataclasses.fields(cls) if f.init]
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return None
    if [q.name for q in params] != init or any(q.kind is not q.POSITIONAL_OR_KEYWORD for q in params):
        return None
    if not set(PLACE_FIELDS) <= set(init):
        return None
    at = [init.index(k) for k in PLACE_FIELDS]
    if at == list(range(at[0], at[0] + len(at))):
        head = operator.attrgetter(*init[:at[0]]) if at[0] else (lambda c: ())
        rest = init[at[-1] + 1:]
        tail = operator.attrgetter(*rest) if rest else (lambda c: ())
        if at[0] == 1:
            head = (lambda get: lambda c: (get(c),))(head)
        if len(rest) == 1:
            tail = (lambda get: lambda c: (get(c),))(tail)
        return lambda c, values: cls(*head(c), *values, *tail(c))
    every = operator.attrgetter(*init)

    def rebuild(c, values):
        args = list(every(c))
        for i, v in zip(at, values):
            args[i] = v
        return cls(*args)
    return rebuild


def _replace(c, values: tuple):
    rebuild = _rebuilder(type(c))
    if rebuild is None:
        return dataclasses.replace(c, **dict(zip(PLACE_FIELDS, values)))
    return rebuild(c, values)


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


def link(text: str, claims: list, published=None) -> list:
    """Claims with place, province, adcode, place_level, lat and lon filled from `text`."""
    if not claims:
        return list(claims)
    a = analyse(text)
    starts, clauses, sentences = a.starts, a.layout.clauses, a.layout.sentences
    left, right = bisect.bisect_left, bisect.bisect_right
    at_focus = _values(a.focus, None) if a.focus else None
    out = []
    memo: dict[tuple, tuple | None] = {}
    for c in claims:
        # Claims between the same mentions and in the same clause share a place; the clause and
        # sentence are keyed by their index among the (strictly increasing) boundaries.
        start, end = c.start, c.end
        key = (left(starts, start), left(starts, end), right(clauses, start), right(sentences, start))
        try:
            values = memo[key]
        except KeyError:
            m = place_for(a, start, end)
            if m is None:
                values = at_focus
            else:
                values = _values(m.place, m.zone if m.kind == "zone" else None) if m.place else None
            memo[key] = values
        out.append(_replace(c, values) if values else c)
    return out
