"""A mention's kind (level, count, pct_change, …) and direction, from the words before it."""
from __future__ import annotations

import re
from functools import cache

import regex

from . import rules
from .scan import Mention, _alt

_COMPARED = regex.compile("[比较]")
_NAMED_TARGET = regex.compile(r"(?:的)?\p{Han}{0,4}?目标")
_FIXED = {"streak": ("count", None), "rank": ("rank", None), "counter": ("count", None)}


@cache
def _cues() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern over every cue word, and each word's role."""
    groups = {
        "neutral": rules.word_list("kinds", "neutral"),
        "lvl": rules.word_list("kinds", "to_level"),
        "up": rules.word_list("kinds", "change_up"),
        "down": rules.word_list("kinds", "change_down"),
        "gn": rules.word_list("kinds", "growth_nouns"),
        "share": rules.word_list("kinds", "share_words"),
    }
    # Longest words first across all groups, so 下降到 (to-level) beats 下降 (down).
    words = sorted(((w, g) for g, ws in groups.items() for w in ws), key=lambda wg: -len(wg[0]))
    role: dict[str, str] = {}
    for w, g in words:
        role.setdefault(w, g)
    # Unnamed plain alternatives: `re` scans them several times faster than named groups.
    return re.compile("|".join(re.escape(w) for w in role)), role


def _last_cue(window: str) -> list[str]:
    """Roles of the cues in `window`, in order, neutral words dropped."""
    pattern, role = _cues()
    return [r for w in pattern.findall(window) if (r := role[w]) != "neutral"]  # no groups: findall gives the words


@cache
def _abs_words():
    up = rules.word_list("kinds", "abs_change_up")
    down = rules.word_list("kinds", "abs_change_down")
    words = sorted([(w, "up") for w in up] + [(w, "down") for w in down], key=lambda wd: -len(wd[0]))
    return words, rules.word_list("kinds", "not_change_prefix"), tuple(w for w, _ in words)


@cache
def _targets() -> regex.Pattern:
    return regex.compile("|".join(f"(?:{p})" for p in rules.word_list("kinds", "target_cues")))


def _percent(window: str, value: float, after: str = "", earlier: str = "") -> tuple[str, str | None]:
    roles = _last_cue(window)
    earlier_text = earlier
    if value < 0:
        return "pct_change", "down"
    if not roles:
        # 5.5%的增速, 20.7%的大幅下滑: the cue follows; else the sentence's earlier clauses decide
        ahead = _last_cue(after)
        roles = ahead[:1] if ahead else _last_cue(earlier)
    last = roles[-1] if roles else None
    if last in ("up", "down"):
        return "pct_change", last
    if last == "gn":
        return "pct_change", "up"
    if last == "share":
        return "share", None
    if last == "lvl":
        before_lvl = roles[:-1]
        if "share" in before_lvl:
            return "share", None
        for roles_here in (before_lvl, _last_cue(earlier_text)):
            if "share" in roles_here:
                return "share", None
            moves = [r for r in roles_here if r in ("up", "down")]
            if moves:
                return "pct_change", moves[-1]  # 经济增长的预期目标是6%: a growth rate
            if "gn" in roles_here:
                return "pct_change", "up"  # GDP增速最快的是兴安盟,为8.0%
        return "share", None
    return "share", None


@cache
def _comparative() -> tuple[regex.Pattern, dict[str, str]]:
    up, down = rules.word_list("kinds", "comparative_up"), rules.word_list("kinds", "comparative_down")
    base = rules.require(rules.load("kinds"), "comparative_base", int, "kinds")
    words = sorted(up + down, key=len, reverse=True)
    pattern = regex.compile(f"[比较][^，,。；;、]{{1,{base}}}?({_alt(words)})$")
    return pattern, {**{w: "up" for w in up}, **{w: "down" for w in down}}


def _direction(window: str, value: float) -> str | None:
    if value < 0:
        return "down"
    pattern, role = _comparative()
    if (m := pattern.search(window)) is not None:
        return role[m.group(1)]  # 较上年同期低2个百分点
    roles = _last_cue(window)
    for cue in reversed(roles):
        if cue in ("up", "down"):
            return cue
    return "up" if "gn" in roles else None  # 增幅高达1倍以上


def abs_change(before: str) -> str | None:
    """'up'/'down' when `before` ends with a change verb that governs the amount (增加2.24万吨)."""
    words, not_prefix, any_word = _abs_words()
    tail = before.rstrip(" 了")
    if not tail.endswith(any_word):
        return None
    for word, direction in words:
        if tail.endswith(word):
            ahead = tail[: -len(word)]
            # 新增就业 names an indicator, but 比年初新增 is a change against a base
            if ahead and ahead[-1] in not_prefix and not _COMPARED.search(ahead):
                return None
            return direction
    return None


def classify(m: Mention, clause_before: str, unit_kind: str, after: str = "",
             earlier: str = "") -> tuple[str, str | None]:
    """(kind, direction) of a mention from its clause (before and after it) and earlier clauses."""
    if m.form in _FIXED:
        return _FIXED[m.form]
    if m.form in ("fraction", "cheng", "half"):
        # 下降逾一成, 按年升一成一: a change verb right before the share makes it a change
        roles = _last_cue(clause_before[-3:])
        if roles and roles[-1] in ("up", "down"):
            return "pct_change", roles[-1]
        return "share", None
    if m.unit == "%" or m.form == "percent":
        return _percent(clause_before, m.value, after, earlier)
    if unit_kind == "pp_change":
        return "pp_change", _direction(clause_before, m.value) or "up"
    if unit_kind == "multiple":
        return "multiple", _direction(clause_before, m.value) or "up"  # 是…的5倍: a multiple above
    direction = abs_change(clause_before)
    if direction:
        return "abs_change", direction
    return unit_kind, None


@cache
def _heading_words() -> regex.Pattern:
    return regex.compile(_alt(rules.word_list("kinds", "heading_target_words")))


def heading_is_target(line: str) -> bool:
    """Whether a heading announces plans (2025年主要预期目标), not just uses 将 in a title."""
    return _heading_words().search(line) is not None


def names_target(after: str) -> bool:
    """Whether the words after a number call it a target (7.5%左右的增长目标, 6900万元目标)."""
    return _NAMED_TARGET.match(after) is not None


def after_past_marker(before: str) -> bool:
    """Whether the number follows a word that puts it in the past (过去的600余公斤)."""
    return before.endswith(_words("past_markers"))


def states_own(clause_before: str) -> bool:
    """Whether a clause names its own figure with its own verb (种植户达到450户): a plan or forecast
    cue of the clause before (预计产值达到400万元) then does not reach it."""
    verb = clause_before.rstrip().endswith(_words("parallel_verbs"))
    return verb and len(clause_before.strip()) > 3  # a subject stands before the verb


_FIGURE = regex.compile(r"\d(?![\d.,，]*[年月日号])")  # a number that is no date (2030年, 6月)


def holds_figure(clause: str) -> bool:
    """Whether a clause holds a number other than a date."""
    return _FIGURE.search(clause) is not None


def is_target(before: str) -> bool:
    """Whether a plan, target or forecast cue stands in `before` (the text before the number)."""
    return _targets().search(before) is not None


def is_capacity(before: str) -> bool:
    """Whether the target in `before` is a capacity once built (投产达效后,年可实现…): no period."""
    return any(w in before for w in _words("capacity_cues"))


@cache
def _words(key: str) -> tuple[str, ...]:
    # word_list checks the list for repeats on every call: once is enough on the per-claim path
    return rules.word_list("kinds", key)


def opens_target_list(sentence_before: str) -> bool:
    """Whether a target cue introduces a list with a colon earlier in the sentence."""
    intro, mark = _list_intro()
    if mark.search(sentence_before) is None:
        return False  # no colon anywhere: no cue can open a list (most sentences)
    # 目标是：… (a colon after the cue) and 目标:… (the cue's own pattern ends on it) alike
    return any(intro.match(sentence_before, m.end()) or mark.match(sentence_before, m.end() - 1)
               for m in _targets().finditer(sentence_before))


@cache
def _list_intro() -> tuple[regex.Pattern, regex.Pattern]:
    """The list opening right after a cue, and the mark it ends on, wherever it stands."""
    mark = rules.require(rules.load("kinds"), "target_list_intro", str, "kinds")
    return regex.compile(".{0,4}?" + mark), regex.compile(mark)
