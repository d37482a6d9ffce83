"""Lists joined by 分别: the k-th number of the list takes the k-th item (高技术制造业投资、工业企业
技改投资分别增长47.3%和87.1%), or the k-th amount stated before it (收入56亿元、税金2.8亿元,同比分别
增长45.3%和37.7%).  Without this pass every number of the list takes the last item's name."""
from __future__ import annotations

from functools import cache

import regex

from . import indicator, rules

_NAME = "indicator"


@cache
def _conf():
    data = rules.require(rules.load(_NAME), "lists", dict, _NAME)
    markers = rules.require(data, "markers", list, _NAME)
    hard = rules.require(data, "hard_separators", str, _NAME)
    return {
        "markers": regex.compile("|".join(regex.escape(w) for w in sorted(markers, key=len, reverse=True))),
        "hard": frozenset(hard),
        "lead": int(data["max_lead"]),
        "gap": int(data["max_gap"]),
        "item_sep": rules.require(data, "item_separator", str, _NAME),
        "min_item": int(data["min_item_length"]),
    }


def spread(t: str, norm, found) -> None:
    """Give each number of a 分别 list the name of its own item, in place (`found`: the claims in
    document order, each with .m, .sentence, .name, .name_key, .own_name)."""
    conf = _conf()
    by_sentence: dict[int, list] = {}
    for f in found:
        by_sentence.setdefault(f.sentence[0], []).append(f)
    for (s_start, _), group in ((g[0].sentence, g) for g in by_sentence.values() if len(g) > 1):
        s_end = group[0].sentence[1]
        for marker in conf["markers"].finditer(t, s_start, s_end):
            members = _members(t, group, marker.end(), conf)
            if len(members) > 1:
                if not _object_list(t, norm, members, marker.end()):
                    _name_members(t, norm, group, members, s_start, marker.start(), conf)
                _share_qualifier(members)


def _members(t: str, group: list, after: int, conf) -> list:
    """The claims that make up the list right after the marker ending at `after`."""
    out, pos, limit = [], after, conf["lead"]
    for f in group:
        if f.m.start < pos:
            continue
        gap = t[pos:f.m.start]
        if len(gap) > limit or any(c in conf["hard"] for c in gap):
            break
        out.append(f)
        pos, limit = f.m.end, conf["gap"]
    return out


def _object_list(t: str, norm, members: list, after: int) -> bool:
    """广州港、深圳港分别以3.8%和8%的增速: numbers taken by a preposition are named by the noun after
    the last of them, for all; whether that named them."""
    last = members[-1].m
    if not indicator.opens_object(t[after:members[0].m.start]):
        return False
    span = indicator.after(t[last.end:last.end + 16], generic=True)
    named = span and indicator.name_at(t, norm, (last.end + span[0], last.end + span[1]))
    if not named:
        return False
    for f in members:
        f.name, f.name_key = named
    return True


def _name_members(t: str, norm, group: list, members: list, s_start: int, at: int, conf) -> None:
    a = max((i for i in range(at - 1, s_start - 1, -1) if t[i] in conf["hard"]), default=s_start - 1) + 1
    end = indicator.trim(t[a:at]) + a
    n = len(members)
    if end <= a or not t[a:end].strip():
        # 收入56亿元、税金2.8亿元,同比分别增长: the amounts stated just before, in order (not those
        # of an earlier clause: 外资447亿美元;燃气业增长较快,同比分别增长112.1%…)
        before = [f for f in group if f.m.end <= a and f.name][-n:]
        if (len(before) == n and not any(f.own_name for f in members)
                and not any(c in conf["hard"] for c in t[before[-1].m.end:a - 1])):
            for f, source in zip(members, before):
                f.name, f.name_key = source.name, source.name_key
            return
        # 燃气生产和供应业、…、文化/体育和娱乐业增长较快,同比分别增长112.1%…: a clause before with no
        # figure of its own lists the subjects, the last one followed by its predicate
        b = max((i for i in range(a - 2, s_start - 1, -1) if t[i] in conf["hard"]), default=s_start - 1) + 1
        if a - 1 <= b or any(b <= f.m.start < a for f in group):
            return
        a, end, last = b, a - 1, True
    else:
        last = False
    items, pos = [], a
    pieces = t[a:end].split(conf["item_sep"])
    for k, piece in enumerate(pieces):
        span = indicator.subject(piece) if last and k == len(pieces) - 1 else indicator.before(piece)
        items.append(None if span is None else (pos + span[0], pos + span[1]))
        pos += len(piece) + len(conf["item_sep"])
    if len(items) != n or any(s is None or s[1] - s[0] < conf["min_item"] for s in items):
        return  # 东部、中部、西部地区实际使用外资: short modifiers share the last item's noun
    for f, span in zip(members, items):
        named = indicator.name_at(t, norm, span) if span is not None else None  # none is, by now
        if named:
            f.name, f.name_key = named


def _share_qualifier(members: list) -> None:
    """分别超4成和7成: a qualifier opening the list's first quote holds for the bare numbers after it."""
    first = members[0].m
    if first.approx == "exact" or first.start == first.num_start:
        return
    for f in members[1:]:
        if f.m.approx == "exact" and f.m.start == f.m.num_start:
            f.m.approx = first.approx
