"""Find place mentions in a text and decide which division each one names."""
from __future__ import annotations

import functools
from bisect import bisect_right
import re
from dataclasses import dataclass, field

from . import names
from .text import Layout

_ZONE_SUFFIX = re.compile(r"(高新技术产业开发区|高新技术开发区|高新区|经济技术开发区|经济开发区|经开区|"
                          r"综合保税区|综保区|自贸片区|片区)")
_ZONE_FIRST = frozenset(w[0] for w in _ZONE_SUFFIX.pattern.strip("()").split("|"))
_ZONE_SHORT = {"高新技术产业开发区": "高新区", "高新技术开发区": "高新区", "经济技术开发区": "经开区",
               "经济开发区": "经开区", "综合保税区": "综保区", "自贸片区": "片区"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]*")
# Between two items of one list: a bracketed figure of the first, then a joiner (全省(6.3%)、金华).
_NEXT_ITEM = re.compile(r"(?:[(（][^()（）]{1,12}[)）])?[、和及]")
_DATELINE_AFTER = re.compile(r"\s*(\d{1,2}月)?\d{1,2}日(专)?电|专电")
_FILLER = re.compile(r"[\s\u3000\d一二三四五六七八九十〇零两—\-~～至年月日季度前后上下半个以来初底末今去当此"
                     r"外其中同时据在从截止目近期间为了对于与之类似“”\"'（）()【】|*●■◆]*")


@dataclass(slots=True)
class Mention:
    """A place name found in the text, with what it may and does refer to."""

    start: int
    end: int
    key: str
    kind: str                                   # place | zone | region | landmark | media |
    #                                              institution | country | cue | group
    candidates: tuple[str, ...] = ()            # adcodes it may name
    form: str = "name"
    place: str | None = None                    # adcode decided
    zone: str | None = None                     # functional-area name, when it is one
    cue_level: str | None = None
    org: bool = False                           # inside an organisation or brand name
    obj: bool = False                           # object or benchmark, not the clause's subject
    dateline: bool = False
    initial: bool = False                       # heads its clause
    members: list["Mention"] = field(default_factory=list)
    para: int = -1                              # start offsets of its paragraph and section
    sect: int = -1

    @property
    def governs(self) -> bool:
        """Can this mention be the place a claim is about?"""
        if self.place is None or self.org or self.obj or self.dateline or self.kind == "media":
            return False
        return self.kind not in ("country", "institution") or self.initial


@functools.cache
def ancestors(code: str) -> tuple[str, ...]:
    """`code` and its ancestors up to the country, nearest first."""
    p = names.places()
    out = []
    while code:
        out.append(code)
        code = p[code].parent
    return tuple(out)


def lca(codes: list[str]) -> str:
    """The smallest division containing every code."""
    common = list(ancestors(codes[0]))
    for c in codes[1:]:
        chain = set(ancestors(c))
        common = [a for a in common if a in chain]
    return common[0] if common else "100000"


@functools.lru_cache(maxsize=None)
def _template(key: str) -> tuple:
    """(kind, candidates, form, zone, cue_level) of a mention of `key`, the same wherever it occurs."""
    entries = names.aliases()[key]
    kinds = {e.kind for e in entries}
    if "cue" in kinds:
        return "cue", (), "name", None, entries[0].target
    e = entries[0]
    if e.kind == "zone":
        z = names.zones()[e.target]
        return "zone", (z.parent,), e.form, e.target, None
    if e.kind == "word":
        return "word", (), "name", None, None
    if e.kind == "foreign":
        return "foreign", (), "name", None, None
    if e.kind in ("region", "landmark", "media", "institution", "country"):
        return e.kind, (e.target,), e.form, None, None
    if all(e.target == "100000" for e in entries):
        return "country", ("100000",), e.form, None, None
    cands, forms = [], set()
    for e in entries:
        if e.kind in ("place", "town") and e.target not in cands:
            cands.append(e.target)
            forms.add("town" if e.kind == "town" else e.form)
    # A name that is both a full name and someone's short name counts as a full name.
    form = next((f for f in ("name", "variant", "old", "alias", "short", "town") if f in forms), "short")
    return "place", tuple(cands), form, None, None


# A ticker a news portal injects after a listed company's name (上海电气(4.990, 0.03, 0.60%)):
# the name before it says nothing about where the article is.
_TICKER_FIGURES = (r"[（(]\s*-?\d+(?:\.\d+)?\s*[,，]\s*[-+]?\d+(?:\.\d+)?\s*[,，]"
                   r"\s*[-+]?\d+(?:\.\d+)?%\s*[)）]")
_STOCK_AFTER = re.compile(r"\w{0,8}?" + _TICKER_FIGURES)
_TICKER = re.compile(_TICKER_FIGURES)
_PCT_CLOSE = re.compile(r"%\s*[)）]")  # in every ticker; a literal start makes it a fast search


@functools.lru_cache(maxsize=4096)
def _filler_char(ch: str) -> bool:
    """Can `ch` begin a clause's filler (so that a mention after it may head the clause)?"""
    return _FILLER.fullmatch(ch) is not None


@dataclass
class _Context:
    org: re.Pattern
    obj: tuple[str, ...]
    joiners: tuple[str, ...]
    direction: re.Pattern
    dateline_before: tuple[str, ...]
    common: frozenset[str]
    generic: frozenset[str]
    # A word list can only match where the text has one of its first (or last) characters:
    # one set look-up rules out most mentions before the pattern or suffix test.
    org_first: frozenset[str] = frozenset()
    obj_last: frozenset[str] = frozenset()
    direction_first: frozenset[str] = frozenset()
    dateline_last: frozenset[str] = frozenset()
    word_after: frozenset[str] = frozenset()
    venue: re.Pattern = re.compile("(?!)")
    foreign_reach: int = 0


@functools.cache
def _context() -> _Context:
    v = names.vocab()
    for key in ("org_suffixes", "object_markers", "list_joiners", "direction_suffixes", "dateline_prefixes"):
        if any(not w for w in v[key]):
            raise names.GeoDataError(f"geo vocabulary {key}: an empty word")
    alt = lambda words: "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    dateline_before = tuple(w for w in v["dateline_prefixes"] if len(w) > 1)
    return _Context(re.compile(alt(v["org_suffixes"])), tuple(v["object_markers"]),
                    tuple(sorted(v["list_joiners"], key=len, reverse=True)),
                    re.compile(alt(v["direction_suffixes"])),
                    dateline_before,
                    frozenset(v["common_words"]), frozenset(v["generic_names"]),
                    frozenset(w[0] for w in v["org_suffixes"]), frozenset(w[-1] for w in v["object_markers"]),
                    frozenset(w[0] for w in v["direction_suffixes"]), frozenset(w[-1] for w in dateline_before),
                    frozenset(v["suffix_word_after"]),
                    re.compile(f"[^，,。；;]{{0,{int(v['venue_reach'])}}}?(?:{alt(v['venue_events'])})"),
                    int(v["foreign_reach"]))


def scan(text: str, lay: Layout) -> list[Mention]:
    """Raw mentions, leftmost-longest, with their local flags set."""
    ctx = _context()
    clauses = lay.clauses
    org, direction, obj, dateline_before = ctx.org, ctx.direction, ctx.obj, ctx.dateline_before
    word_after, venue_re = ctx.word_after, ctx.venue
    foreign_end, foreign_reach = -100, ctx.foreign_reach
    org_first, obj_last, direction_first, dateline_last = \
        ctx.org_first, ctx.obj_last, ctx.direction_first, ctx.dateline_last
    # A ticker's bracket of figures appears in few texts: where it does not, no name is followed by one.
    tickers = _PCT_CLOSE.search(text) is not None and _TICKER.search(text) is not None
    filler = _FILLER.fullmatch
    out: list[Mention] = []
    for start, key in names.find(text):
        kind, candidates, form, zone, cue_level = _template(key)
        if kind == "word":
            continue
        if kind == "foreign":
            foreign_end = start + len(key)
            continue  # no evidence either way: 日本对华投资 is still about China
        if 0 <= start - foreign_end <= foreign_reach and _HAN_RUN.fullmatch(text, foreign_end, start):
            continue  # 迪拜杰贝尔阿里港: the rest of a foreign name
        # What follows is read in the 12 characters after the name and what precedes in the 4
        # before it, by position: slicing them out costs more than the tests.
        end = start + len(key)
        stop = end + 12
        first = text[end:end + 1]
        if kind == "region" and first in direction_first and direction.match(text, end, stop):
            continue
        if first in word_after and len(key) == 2 and start and _HAN.match(text, start - 1):
            continue  # 陕南县域 is not 南县
        if tickers and _STOCK_AFTER.match(text, end, end + 40):
            continue  # 上海电气(4.990, 0.03, 0.60%): a portal's ticker, no evidence of the article's place
        is_org = (kind == "place" or kind == "country" or kind == "zone" or kind == "region") and (
            (first in org_first and org.match(text, end, stop) is not None)
            or (first in ")）" and text[end + 1:end + 2] in org_first and org.match(text, end + 1, stop) is not None))
        lo = max(0, start - 4)
        last = text[start - 1:start] if start else ""
        # Both dateline forms (…电, …专电) end in 电.
        dateline = kind == "place" and (
            (text.find("电", end, stop) >= 0 and _DATELINE_AFTER.match(text, end, stop) is not None)
            or (last in dateline_last and text.endswith(dateline_before, lo, start)))
        cs = clauses[bisect_right(clauses, start) - 1]  # the start of its clause
        # 在深圳的招商推介会上签订…: the place of an event the article's own area attends
        venue = (kind == "place" or kind == "region") and venue_re.match(text, end, stop) is not None
        out.append(Mention(start, end, key, kind, candidates, form, None, zone, cue_level, is_org,
                           venue or (last in obj_last and text.endswith(obj, lo, start)), dateline,
                           cs == start or (_filler_char(text[cs]) and filler(text, cs, start) is not None)))
    return out


def chain(text: str, ms: list[Mention]) -> list[Mention]:
    """Merge adjacent parent+child names (浙江省温岭市, 广西来宾, 虹口曲阳路街道) into one mention."""
    p = names.places()
    out: list[Mention] = []
    for m in ms:
        prev = out[-1] if out else None
        if (prev and m.kind == "place" and prev.kind == "place" and prev.end == m.start
                and not prev.org and prev.candidates and m.candidates):
            own = 0 if m.form == "town" else 1  # a town's candidates are its counties
            keep = [c for c in m.candidates if any(a in prev.candidates for a in ancestors(c)[own:])]
            if keep:
                m.candidates = tuple(keep)
                m.start, m.form, m.obj, m.initial = prev.start, "chain", prev.obj, prev.initial
                out[-1] = m
                continue
        if prev and prev.kind == "country" and prev.end == m.start and m.kind in ("place", "zone"):
            m.start, m.obj, m.initial = prev.start, prev.obj, prev.initial  # 我国香港, 中国(上海)
            out[-1] = m
            continue
        if prev and m.kind == "zone" and prev.kind == "place" and prev.end == m.start:
            m.start, m.obj, m.initial = prev.start, prev.obj, prev.initial
            out[-1] = m
            continue
        out.append(m)
    # Generic zone names: a prefecture followed by 高新区/经开区/综保区/片区 is a zone under it.
    for m in out:
        if m.kind == "place" and not m.org and text[m.end:m.end + 1] in _ZONE_FIRST:
            z = _ZONE_SUFFIX.match(text, m.end)
            if z and all(p[c].level == "city" for c in m.candidates):
                short = _ZONE_SHORT.get(z.group(1), z.group(1))
                m.zone = m.key.removesuffix("市") + short
                m.kind, m.end = "zone", z.end()
    return out


def group(text: str, ms: list[Mention], ctx: _Context | None = None) -> list[Mention]:
    """Lists of places (普陀区、杨浦区; 广东等7省) become one mention of their smallest container."""
    ctx = ctx or _context()
    longest = len(ctx.joiners[0]) if ctx.joiners else 0  # joiners are sorted longest first
    out: list[Mention] = []
    i = 0
    while i < len(ms):
        run = [ms[i]]
        j = i + 1
        while (j < len(ms) and ms[j].place and run[-1].place and not ms[j].org
               and 0 < ms[j].start - run[-1].end <= longest and text[run[-1].end:ms[j].start] in ctx.joiners):
            run.append(ms[j])
            j += 1
        head = run[0]
        etc = text.startswith("等", run[-1].end)
        if head.place and (len(run) > 1 or etc) and not head.org:
            code = lca([m.place for m in run if m.place is not None])  # every one has a place
            if etc and code != "100000" and (len(run) == 1 or names.places()[code].level != "country"):
                code = names.places()[code].parent or code
            g = Mention(head.start, run[-1].end, text[head.start:run[-1].end], "group", (code,),
                        place=code, obj=head.obj or run[-1].obj, initial=head.initial, members=run)
            out.append(g)
        else:
            out.extend(run)
        i = j
    for prev, m in zip(out, out[1:]):
        if prev.obj and not m.obj and _NEXT_ITEM.fullmatch(text, prev.end, m.start):
            m.obj = True  # 高于全省(6.3%)、金华(6.7%): every item of a list of benchmarks
    return out
