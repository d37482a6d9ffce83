"""Decide what each place mention names, using the rest of the document as context."""
from __future__ import annotations

import functools
from bisect import bisect_right
from collections import defaultdict

from . import names
from .mentions import Mention, _context, ancestors
from .text import Layout

# Weights of one piece of evidence by how close it stands to the mention it supports.
NEAR, SECTION, FAR = 3.0, 2.0, 1.0
PROVINCE_PRIOR = 0.5   # a bare province short name (海南, 吉林) means the province by default


_STRONG_FORMS = frozenset(("name", "variant", "chain", "old", "town"))


class _Evidence:
    """The evidence of one resolving pass: resolved mentions, one per place, paragraph and
    kind of form, as (mention, paragraph, section, weight factor, names its place strongly).

    The place itself is read live, since resolving a short name may revise a mention that is
    also evidence (`live`). Support only ever joins places of one province (or the country,
    province ''), so a candidate reads its own province's group, the country's, and the live
    evidence as it stands. Scores are sums of halves and whole numbers, exact in any order.
    """

    def __init__(self, ms: list[Mention], live: set[int]):
        p = names.places()
        seen = set()
        self.all: list[tuple] = []
        self.live: list[tuple] = []
        self.by_province: dict[str, list[tuple]] = {}
        for k in ms:
            if k.place is None or k.dateline or k.place == "100000":
                continue
            orgish = k.org or k.obj or k.kind == "media"
            key = (k.place, k.para, k.sect, orgish, k.form, k.kind)
            if key in seen:
                continue
            seen.add(key)
            f = (k, k.para, k.sect, 0.5 if orgish else 1.0, k.form in _STRONG_FORMS or k.kind != "place")
            self.all.append(f)
            if id(k) in live:
                self.live.append(f)
            else:
                self.by_province.setdefault(p[k.place].province, []).append(f)
        self._near: dict[str, list[tuple]] = {}

    def near(self, prov: str) -> list[tuple]:
        """The evidence that can support a candidate in province `prov`."""
        if not prov:
            return self.all
        out = self._near.get(prov)
        if out is None:
            out = self._near[prov] = self.by_province.get(prov, []) + self.by_province.get("", []) + self.live
        return out


def _support(c: str, m: Mention, known: list[tuple], lay: Layout) -> tuple[float, bool]:
    """(evidence score, strong) for candidate adcode `c` of mention `m`; `known` from `_Evidence`.

    Strong support is the candidate's own full name, its parent (or, for a county, its city),
    or a sibling: enough to accept a bare short county name such as 宝山 or 普陀.
    """
    p = names.places()
    mine = ancestors(c)
    parent = p[c].parent
    level = p[c].level
    prov = p[c].province
    para, sect = m.para, m.sect
    score, strong = 0.0, False
    for k, kpara, ksect, factor, strong_form in known:
        if k is m:
            continue
        kp = k.place
        pk = p[kp]
        # Every kind of support below joins places of one province (or the country, whose
        # province is ''): most evidence is ruled out by that one comparison.
        if pk.province != prov and pk.province and prov:
            continue
        if kp == c:
            strong |= strong_form
        elif kp in mine:
            strong |= kp == parent or pk.level == "city"
        elif pk.parent == parent and pk.level == level and parent != "100000":
            strong = True
        elif c in ancestors(kp):
            strong = True
        else:
            continue
        score += (NEAR if para == kpara else SECTION if sect == ksect else FAR) * factor
    return score, strong


def resolve(ms: list[Mention], lay: Layout) -> None:
    """Set `.place` on every mention whose referent can be decided; leave the rest None."""
    p = names.places()
    paras, sects = lay.paragraphs, lay.sections
    ctx = _context()
    common, generic = ctx.common, ctx.generic
    todo = []
    n_paras, n_sects = len(paras), len(sects)
    pi = si = 0
    last = 0
    # One pass over the mentions: each step below reads and sets only the mention itself.
    for m in ms:
        # The start of its paragraph and section (both boundary lists begin at 0 and rise):
        # mentions come in order, so the boundaries are walked rather than searched.
        start = m.start
        if start < last:
            pi, si = bisect_right(paras, start) - 1, bisect_right(sects, start) - 1
        else:
            while pi + 1 < n_paras and paras[pi + 1] <= start:
                pi += 1
            while si + 1 < n_sects and sects[si + 1] <= start:
                si += 1
        last = start
        m.para = paras[pi]
        m.sect = sects[si]
        kind, cands = m.kind, m.candidates
        if kind != "place":
            if kind != "cue" and len(cands) == 1:
                m.place = cands[0]
            continue
        if len(cands) == 1:
            if m.form in ("name", "variant", "chain", "old", "alias") and m.key not in generic:
                m.place = cands[0]
            # A unique province or city short name (上海, 宜昌) needs no context.
            elif m.form == "short" and m.key not in common and p[cands[0]].level in ("province", "city"):
                m.place = cands[0]
        if m.place is None or m.form in ("short", "town"):
            todo.append(m)
    if not todo:
        return
    settled = [_settled(m, common, generic) for m in todo]
    if all(s is not _OPEN for s in settled):
        for m, s in zip(todo, settled):
            m.place = s  # no decision reads evidence
        return
    # Mentions decided again in this pass may change their place while being evidence.
    live = {id(m) for m, s in zip(todo, settled) if m.place is not None and (s is _OPEN or s != m.place)}
    known = _Evidence(ms, live)
    for m, s in zip(todo, settled):
        m.place = _decide(m, known, lay, common, generic) if s is _OPEN else s
    # A second pass, with the places the first decided as evidence, for the open ones still
    # undecided (a settled mention would only be given the same answer again).
    again = [m for m, s in zip(todo, settled) if s is _OPEN and m.place is None]
    if again:
        known = _Evidence(ms, set())
        for m in again:
            m.place = _decide(m, known, lay, common, generic)


_OPEN = object()


def _settled(m: Mention, common: frozenset[str], generic: frozenset[str]):
    """What `_decide` returns for `m` whatever the evidence, or _OPEN when the evidence counts.

    A generic name decides nothing; a name with one candidate gets it unless it is a bare
    county short name or a common word in short form, the two cases that need strong support
    (a province candidate of a short, alias or full name always has it).
    """
    if m.key in generic and m.form != "chain":
        return None
    if len(m.candidates) != 1:
        return _OPEN
    c = m.candidates[0]
    level = names.places()[c].level
    if level == "province" and m.form in ("short", "alias", "name"):
        return c
    if m.form == "short" and (level == "county" or m.key in common):
        return _OPEN
    return c


def _decide(m: Mention, known: _Evidence, lay: Layout, common: frozenset[str],
            generic: frozenset[str]) -> str | None:
    p = names.places()
    if m.key in generic and m.form != "chain":
        return None
    scored = []
    for c in m.candidates:
        score, strong = _support(c, m, known.near(p[c].province), lay)
        if p[c].level == "province" and m.form in ("short", "alias", "name"):
            score += PROVINCE_PRIOR
            strong = True
        if m.form == "short" and p[c].level == "county" and not strong:
            continue  # a bare county short name (大名, 曲阳) needs its city, a sibling or itself
        if m.key in common and m.form == "short" and not strong:
            continue
        if m.form == "town" and score <= 0 and len(m.candidates) > 1:
            continue
        scored.append((score, c))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) == 1:
        return scored[0][1] if (scored[0][0] > 0 or len(m.candidates) == 1) else None
    (best, code), (second, _) = scored[0], scored[1]
    if best > 0 and best >= 2 * second:
        return code
    provinces = {p[c].province for _, c in scored}
    if len(provinces) == 1:
        return provinces.pop()  # the candidates agree on the province: say only that
    return None


def focus(ms: list[Mention], lay: Layout, orgs: bool = False) -> str | None:
    """The article's focus place: descend from the country while one child holds most evidence.

    With `orgs`, organisation names count too (南京海关 tells 我省 which province it is, though
    上海电气's revenue is not Shanghai's).
    """
    p = names.places()
    weight: dict[str, float] = defaultdict(float)
    total = 0.0
    for m in ms:
        if m.place is None or m.dateline or (m.org and not orgs):
            continue
        w = 0.5 if m.org else 1.0
        if m.kind == "media":
            w = 0.5
        if m.obj or (m.kind in ("country", "institution") and not m.initial):
            w = 0.3
        para = m.para if m.para >= 0 else lay.paragraph(m.start)[0]  # set by resolve()
        if m.start in lay.headings or para in lay.headings:
            w *= 1.5
        total += w
        for a in ancestors(m.place):
            weight[a] += w
    if not total:
        return None
    # Every weighted place's parent is weighted too (weights go to all ancestors, and all are
    # positive), so the weighted children of a node are found among the weighted places.
    kids_of: dict[str, list[str]] = {}
    for c in weight:
        parent = p[c].parent
        if parent:
            kids_of.setdefault(parent, []).append(c)
    node = "100000"
    while True:
        kids = kids_of.get(node)
        if not kids:
            return node
        best, code = max([(weight[c], c) for c in kids])
        if best <= 0.5 * weight[node] + 1e-9:
            return node
        node = code


@functools.lru_cache(maxsize=65536)  # asked again for every cue and every place before it
def at_level(code: str, level: str) -> str | None:
    """The ancestor-or-self of `code` that a cue of `level` (全市, 全省, 全县, 全区) names."""
    p = names.places()
    chain = ancestors(code)
    if level == "any":
        return code
    if level == "province":
        return next((c for c in chain if p[c].level == "province"), None)
    if level == "city":
        for c in chain:
            if p[c].level == "city":
                return c
            # municipalities (上海市) and province-administered cities (仙桃市) act as cities
            if p[c].level == "province" and p[c].name.endswith("市"):
                return c
            if p[c].level == "county" and p[c].parent == p[c].province and p[c].name.endswith("市"):
                return c
        return None
    if level == "county":
        return next((c for c in chain if p[c].level == "county" and not p[c].name.endswith("区")), None)
    if level == "district":
        for c in chain:
            if p[c].level == "county" and p[c].name.endswith("区"):
                return c
            if p[c].level == "province" and p[c].name.endswith("自治区"):
                return c
        return None
    return None


def cues(ms: list[Mention], focus_code: str | None) -> None:
    """全市/我省/该县…: the nearest preceding place of that level, else the focus place's."""
    seen: list[str] = []
    p = names.places()
    for m in ms:
        if m.kind == "cue" and m.place is None:
            for code in reversed(seen):
                hit = at_level(code, m.cue_level)
                if hit and hit != code and m.cue_level == "city" and hit not in seen \
                        and p[code].level == "county" and p[code].name.endswith("市"):
                    # 义乌市统计局获悉,前三季度全市…: a county-level city calls itself 全市 too; its
                    # prefecture is meant only where the text has named that (金华市…义乌市…全市).
                    hit = code
                if hit:
                    m.place = hit
                    break
            if m.place is None and focus_code:
                m.place = at_level(focus_code, m.cue_level)
            m.initial = True
        if m.place and not m.dateline and not m.obj:
            seen.append(m.place)  # not 增速居金华各县市区第2 (a benchmark) for the 全市 after it
