"""Article-level context of a number: the period it refers to and whether a heading sets a plan.

Periods are taken from the claim's sentence, else its paragraph, else the section heading above
it; 当日/此次 refer back to the article's event date; 近年来 resets to unknown.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

import regex

from functools import cache

from . import kinds, rules
from .periods import Period, cumulative, find, year_so_far
from .segments import Segments

_DATE = regex.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = regex.compile(r"^\d{4}$")
_YEAR_OR_SO_FAR = regex.compile(r"^\d{4}(?:-01/\d{4}-\d{2})?$")



@cache
def _heading_marker() -> regex.Pattern:
    return regex.compile(rules.require(rules.load("periods"), "heading_markers", str, "periods"))
_HEADING_MAX = 40
# A title line: short, and holding no sentence's punctuation nor a table's cell bar.
_TITLE_MAX = 24
_NOT_TITLE = frozenset("，,。；;：:！!？?|")
_HEADLINE_MAX = 40
# Months by which the latest figures trail publication: 前三季度 stands for 今年以来 until November,
# 一季度 no longer in July.
_DATA_LAG = 2
_NOT_HEADLINE_END = "。；;，,：:"


@cache
def _breakdown_opener() -> regex.Pattern:
    return regex.compile(rules.require(rules.load("periods"), "breakdown_opener", str, "periods"))


def breaks_down(text: str, para_start: int) -> bool:
    """Whether the paragraph at `para_start` opens by breaking a figure down (从行业看,…): it goes on
    about the paragraph before, whose period its undated figures share."""
    return _breakdown_opener().match(text, para_start, para_start + 24) is not None


@cache
def _parts_opener() -> regex.Pattern:
    return regex.compile(rules.require(rules.load("periods"), "parts_opener", str, "periods"))


def lists_parts(text: str, para_start: int) -> bool:
    """Whether the paragraph at `para_start` opens with 其中: it may list the parts of a figure of
    the paragraph before."""
    return _parts_opener().match(text, para_start, para_start + 8) is not None


@dataclass(slots=True)
class _Section:
    period: str | None
    target: bool
    guessed: bool = False


class Context:
    """Periods and section headings of one normalised article."""

    def __init__(self, text: str, segs: Segments, published: date | None, claim_starts: list[int]):
        self.segs = segs
        self.periods = [p for p in find(text, published) if not self._in_dateline(text, p)]
        self._starts = [p.start for p in self.periods]
        self.so_far = year_so_far(published)  # the value of 今年以来
        self.event = next((p.value for p in self.periods if p.value and _DATE.match(p.value)), None)
        self.sections = self._sections(text, claim_starts)

    def _in_dateline(self, text: str, p: Period) -> bool:
        # A line that is only a date (2023年02月11日, 长江日报 2025年01月17日) is the page's own date.
        if p.value is None or _DATE.match(p.value) is None:
            return False
        a, b = self.segs.paragraph(p.start)
        return len((text[a:p.start] + text[p.end:b]).strip()) <= 6

    def _sections(self, text: str, claim_starts: list[int]) -> dict[int, _Section | None]:
        """Paragraph index → the heading section it lies in (short lines naming a period or a plan)."""
        out, current = {}, None
        starts = sorted(claim_starts)
        marker = _heading_marker()
        for n_para, (a, b) in enumerate(self.segs.paragraphs()):
            line = text[a:b].strip()
            if line and len(line) <= _HEADING_MAX and (marker.match(line) or self._dated_title(text, a, b, line)):
                i = bisect_left(starts, a)
                if not (i < len(starts) and starts[i] < b):  # a line with a claim is no heading
                    here = [p for p in self.periods if a <= p.start < b and p.role == "period"]
                    if here:
                        current = _Section(here[-1].value, kinds.heading_is_target(line), here[-1].guessed)
            out[n_para] = current
        return out

    def _dated_title(self, text: str, a: int, b: int, line: str) -> bool:
        """Whether the line `line` (text[a:b]) is a title that opens with its period and ends no
        sentence (1~2月全省工业园区, 2023年宁夏、青海各市GDP和人均GDP): like a heading, it dates
        the undated figures under it (a flattened table's rows, a ranking's list)."""
        if len(line) > _TITLE_MAX or any(ch in _NOT_TITLE for ch in line):
            return False
        first = a + len(text[a:b]) - len(text[a:b].lstrip())
        i = bisect_left(self._starts, first)
        return i < len(self.periods) and self.periods[i].start == first and self.periods[i].role == "period"

    def _pick(self, lo: int, hi: int, own: bool = False) -> tuple[bool, str | None, bool]:
        """The nearest of periods[lo:hi] before the number that resolves (found, value, guessed):
        a reset to unknown, an anaphora only with an event date; one whose role is `own` only when
        `own` (the number's sentence)."""
        periods, event = self.periods, self.event
        for k in range(hi - 1, lo - 1, -1):
            p = periods[k]
            if p.role == "name" or (p.role == "own" and not own):
                continue  # 2023年第一季度…签约仪式 names the event: its day is the period
            if p.role == "period" or p.role == "own":
                return True, p.value, p.guessed
            if p.role == "reset":
                return True, None, False
            if event:  # anaphora
                return True, event, False
        return False, None, False

    def period(self, pos: int, s_start: int, p_start: int, p_index: int) -> tuple[str | None, bool]:
        """The period a number at `pos` refers to (in the sentence and paragraph starting at
        `s_start` and `p_start`, paragraph number `p_index`), and whether its year was guessed
        back from the publication date (periods.Period.guessed)."""
        starts = self._starts
        i = bisect_left(starts, pos)
        j = bisect_left(starts, s_start, 0, i)
        found, value, guessed = self._pick(j, i, own=True)
        if found:
            return value, guessed
        lo = bisect_left(starts, p_start, 0, j) if p_start < s_start else j
        if lo < j:
            # Earlier in the paragraph: its first sentence (the topic) first, then the rest.
            topic_end = bisect_left(starts, self.segs.sentence(p_start)[1], lo, j)
            found, value, guessed = self._pick(lo, topic_end)
            if found and value is not None and _DATE.match(value):
                # 3月5日,…会议开幕。…表示,2021年,…。全国财政收入突破20万亿元: a day that opens the
                # paragraph dates its event; a whole year named since then is the figures' (a month
                # since then is more often a step towards the event: 7月以来成立14个招商专班)
                later = self._pick(topic_end, j)
                if later[0] and later[1] is not None and _YEAR.match(later[1]):
                    return later[1], later[2]
            if found and value is not None and value == self.so_far and (span := self._data_span(lo, j)):
                return span
            if found and value is not None and _YEAR_OR_SO_FAR.match(value):
                # 今年以来,…态势。前三季度,全市生产总值…。固定资产投资增长12.9%: a cumulative span of
                # the topic's year named since then is the figures' reporting period
                later = self._pick(topic_end, j)
                if later[0] and later[1] is not None and cumulative(later[1], value[:4]):
                    return later[1], later[2]
            if found:
                return value, guessed
            found, value, guessed = self._pick(topic_end, j)
            if found and value is not None and value == self.so_far:
                return self._data_span(lo, j) or (value, guessed)
            if found:
                return value, guessed
        section = self.sections.get(p_index)
        if section:
            return section.period, section.guessed
        return self._headline(p_start)

    def _data_span(self, lo: int, hi: int) -> tuple[str, bool] | None:
        """The nearest of periods[lo:hi] that runs from January to one of the last months before the
        year so far (前三季度…增长5.3%,今年以来持续高于…。从主要领域看,…高于全国2.3个百分点 in
        October): where a paragraph names it, its figures are that span's, 今年以来 being vague."""
        so_far = self.so_far
        if so_far is None or len(so_far) != 15:
            return None  # published in January or December: the year so far is a month or the year
        for k in range(hi - 1, lo - 1, -1):
            p = self.periods[k]
            if (p.role == "period" and p.value and p.value != so_far and cumulative(p.value, so_far[:4])
                    and int(p.value[-2:]) >= int(so_far[-2:]) - _DATA_LAG):
                return p.value, p.guessed
        return None

    def _headline(self, p_start: int) -> tuple[str | None, bool]:
        """A headline (a short line that ends no sentence: 央企各类机构超400家聚雄安!…) whose figures
        give no period takes the one period of its article's opening sentence (随着2026年全国两会…)."""
        text = self.segs.text
        a, b = self.segs.paragraph(p_start)
        line = text[a:b].strip()
        if not line or len(line) > _HEADLINE_MAX or line[-1] in _NOT_HEADLINE_END:
            return None, False
        while b < len(text):  # past blank lines, to the end of the paragraph after it
            start, b = b, self.segs.paragraph(b)[1]
            if text[start:b].strip():
                break
        first = text.rfind("\n", 0, b - 1) + 1
        while first < b and text[first].isspace():
            first += 1
        s_start, s_end = self.segs.sentence(first)
        i = bisect_left(self._starts, s_start)
        found = set()
        while i < len(self.periods) and self.periods[i].start < s_end:
            p = self.periods[i]
            if p.role == "period" and p.value is not None and not _DATE.match(p.value):
                found.add((p.value, p.guessed))  # (a day there dates the page or the event)
            i += 1
        # only one: 2025年…增长4.7%;2024年…增长4.7% leaves the headline's 增长4.7% open
        return found.pop() if len(found) == 1 else (None, False)

    def section_target(self, p_index: int) -> bool:
        """Whether paragraph number `p_index` lies under a heading that announces plans or targets."""
        section = self.sections.get(p_index)
        return bool(section and section.target)
