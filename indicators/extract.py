"""The extraction pipeline: text in, numeric claims out.

normalise → scan numbers → drop non-claims → kind, indicator, period, sector → place (geo) →
map spans back to the original text.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from . import exclusions, indicator, kinds, lists, rules
from .claim import Claim
from .context import Context, breaks_down, lists_parts
from .normalize import Normalised, normalise
from .periods import base_period, shift_years, span_end, year_of, year_so_far
from .reader import parse_published
from .scan import Mention, outside_approx, scan, share_approx
from .segments import Segments

# Raised when rules change what is extracted, so that `python -m indicators reextract` re-reads the
# documents a store holds from an older version (0.4.0: session 7's place, period and sector rules).
EXTRACTOR_VERSION = "0.4.0"
# Kinds that may be about a share just stated (占比…,提高3.1个百分点): they take its base's name too.
_OF_SHARE = frozenset({"share", "pp_change"})


@dataclass(slots=True)
class _Found:
    """A mention judged to be a claim, with what the pipeline learns about it."""

    m: Mention
    unit: str
    unit_kind: str
    clause: tuple[int, int] = (0, 0)
    clause_before: int = 0    # where the clause before starts (0 for the first)
    sentence: tuple[int, int] = (0, 0)
    paragraph: int = 0        # where the paragraph starts
    para_index: int = 0       # which paragraph, counting from 0
    kind: str = "level"
    direction: str | None = None
    name: str | None = None
    name_key: str | None = None  # the indicator as normalised text (simplified): what vocabularies match
    own_name: bool = False       # the name came from the claim's own phrase, not a neighbour's
    period: str | None = None
    sector: str | None = None


def extract(text: str, published: date | str | None = None, doc: str | None = None,
            link: bool = True) -> list[Claim]:
    """Every numeric claim in `text`, in document order; `published` dates relative periods.

    `link=False` leaves the place fields empty: no place linking (geo/), a sixth of the time."""
    if not text or not text.strip():
        return []
    if isinstance(published, str):
        published = parse_published(published, f"published date of {doc or 'text'}")
    norm = normalise(text)
    t = norm.text
    segs = Segments(t)
    masked = exclusions.masked_spans(t)
    found = _candidates(t, segs, masked)
    if not found:
        return []  # no number is a claim: no periods, sections or places to find
    ctx = Context(t, segs, published, [f.m.start for f in found])
    _describe(t, norm, ctx, found, published, exclusions.name_ends(t, masked) if masked else [])
    lists.spread(t, norm, found)
    _echo_repeats(t, found)
    _assign_sectors(t, found)
    spans = [norm.span(f.m.start, f.m.end) for f in found]
    # geo reads the normalised text: simplified, and without pinyin residue (內(nèi)蒙古)
    places: list[tuple | None] = [None] * len(found)
    if link:
        places = _places(t, [(f.m.start, f.m.end) for f in found])
    return _claims(text, norm, found, doc, spans, _occurrences(text, spans), places)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_right(spans, (start, float("inf")))
    return any(s < end and start < e for s, e in spans[max(0, i - 2): i + 1])


def _candidates(text: str, segs: Segments, masked: list[tuple[int, int]]) -> list[_Found]:
    """Mentions that are claims, each with its unit and the unit's default kind."""
    out = []
    for m in scan(text):
        if masked and _overlaps(masked, m.start, m.end):
            continue
        clause_before, c_start, c_end = segs.clause_and_previous(m.num_start)
        unit = m.unit
        if unit is None:
            unit = exclusions.implied_unit(m, text[c_start:c_end])
            if unit is None or exclusions.is_bare_label(text, m):
                continue
        row = rules.unit(unit)
        if row.digits_only and m.chinese and not m.magnitude:
            continue
        sentence = segs.sentence(m.num_start)
        if row.needs and not any(w in text[sentence[0]:sentence[1]] for w in row.needs):
            continue
        if exclusions.excluded(text, m, row.kind):
            continue
        index, para_start = segs.paragraph_at(m.num_start)
        out.append(_Found(m, unit, row.kind, (c_start, c_end), clause_before, sentence, para_start, index))
    return out


def _describe(t: str, norm: Normalised, ctx: Context, found: list[_Found], published: date | None,
              name_ends: list[int]) -> None:
    """Kind, direction, indicator and period of each claim, in document order; no indicator
    reaches back past a name's end in `name_ends` (sorted)."""
    # (name, name_key) pairs: the indicator as output and as normalised text
    last_in_sentence: dict[int, tuple[str, str]] = {}             # sentence start → last indicator there
    subject_in_sentence: dict[int, tuple[str, str]] = {}          # … the last that is no share's base
    last_count: dict[tuple[int, str], tuple[str, str]] = {}       # (paragraph, unit) → last counted noun
    last_in_paragraph: dict[int, tuple[str, str]] = {}            # paragraph start → last indicator there
    last_of_kind: dict[tuple[int, str], tuple[str, str]] = {}     # (paragraph, kind) → last indicator
    before_para, this_para = -1, -1  # starts of the paragraphs of the claims before and of this one
    periods = sorted(ctx.periods, key=lambda p: p.end)
    period_ends = [p.end for p in periods]
    prev_end = -1
    # The period of the first figure of the last paragraph that opens a topic (not 其中…, 从行业看…),
    # and the paragraph's index: a breakdown paragraph after it shares that period.
    topic: tuple[str | None, bool] | None = None
    topic_units: set[str] = set()  # the units of that paragraph's figures
    para, follows, parts, own_topic = -1, False, False, False
    for f in found:
        m = f.m
        if f.paragraph != this_para:
            before_para, this_para = this_para, f.paragraph
        (c_start, c_end), (s_start, _) = f.clause, f.sentence
        f.kind, f.direction = kinds.classify(m, t[c_start:m.start], f.unit_kind, t[m.end:c_end],
                                             t[s_start:c_start])
        left = max(c_start, prev_end if prev_end <= m.start else c_start)
        if name_ends:
            k = bisect_right(name_ends, m.start)
            if k and name_ends[k - 1] > left:
                left = name_ends[k - 1]  # 大湾区内地9市外贸规模: the measure follows the name
        i = bisect_right(period_ends, m.start)
        ahead = None  # the text before a period that stands between indicator and number
        if i and period_ends[i - 1] >= left:
            ahead = (left, periods[i - 1].start)
            left = period_ends[i - 1]  # 今年崇阳县粮食面积: the indicator starts after the period
        # Where a subject from an earlier clause may start: after that clause's own period (2023年
        # 园区…百强中,国家高新区占52席) and after a name (大湾区内地9市外贸规模稳步扩大,2025年达到…)
        k = bisect_right(period_ends, c_start)
        subject_from = period_ends[k - 1] if k and periods[k - 1].start >= s_start else s_start
        if name_ends and (k := bisect_right(name_ends, c_start)):
            subject_from = max(subject_from, name_ends[k - 1])
        named = _indicator(t, norm, f, left, bool(last_in_sentence.get(s_start)), ahead, subject_from)
        f.own_name = named is not None
        if named is None and f.unit_kind == "count":
            named = last_count.get((f.paragraph, f.unit))
        if named is None:
            # 为年预算的32.3%,同比降低10.2%: a change names what the share is of, not the share's base
            named = (subject_in_sentence if f.kind not in _OF_SHARE else last_in_sentence).get(s_start)
        if named is None and indicator.continues(t, s_start):
            named = last_in_paragraph.get(f.paragraph)  # 其中4月当月增长12.2%: the sentence before's
            if named is None and not t[f.paragraph:s_start].strip():
                # a paragraph that opens with 其中一月份增长11.5%: the last figure of its kind before
                named = last_of_kind.get((before_para, f.kind))
        if named:
            f.name, f.name_key = named
            if f.unit_kind == "count" and m.form == "general":
                last_count[(f.paragraph, f.unit)] = named
            last_of_kind[(f.paragraph, f.kind)] = named
            if len(named[1]) > 1 or f.kind != "count":
                # 15个区…,增幅高达1倍以上: a counted 区 names no measure for the figures after it
                last_in_sentence[s_start] = named
                last_in_paragraph[f.paragraph] = named
                if not (f.kind == "share" and _names_base(t[c_start:m.start], named[1], f.own_name)):
                    subject_in_sentence[s_start] = named
        f.period, guessed = ctx.period(m.num_start, s_start, f.paragraph, f.para_index)
        if f.para_index != para:
            para = f.para_index
            follows = breaks_down(t, f.paragraph)
            parts = not follows and lists_parts(t, f.paragraph)
            own_topic = not (follows or parts or indicator.continues(t, f.paragraph))
            if own_topic:
                topic, topic_units = (f.period, guessed), set()
        if own_topic:
            topic_units.add(f.unit)
        if f.period is None and topic is not None and (follows or (parts and f.unit in topic_units)):
            # 从行业看,服务业实际使用外资…: the period of the figure broken down.  After 其中 only a
            # figure in the unit of one before is its part (其中,第一产业增加值23.09亿元 after a GDP
            # in 亿元); 其中,…两位张建国 after 聘请了4名 counts no part of a figure.
            f.period, guessed = topic
        if f.period is not None and "/" in f.period:
            f.period = span_end(f.period, t[s_start:f.sentence[1]], t[c_start:m.start]) or f.period
        if f.period is not None and m.start and t[m.start - 1] in "(（":
            f.period = base_period(f.period, t[max(0, m.start - 8):m.start]) or f.period
        _plan(t, ctx, f, published, guessed)
        if m.approx == "exact":
            m.approx = outside_approx(t, m.start) or "exact"
            if m.approx == "exact" and f.kind == "share":
                m.approx = share_approx(t[c_start:m.start]) or "exact"
        prev_end = m.end


def _names_base(chunk: str, name: str, own: bool) -> bool:
    """Whether a share's `name`, found in `chunk` (its clause up to the number), is the whole it is
    a share of (完成年度目标任务的85.2%, 占全社会用电比重(下同)为1.07%) or the ratio itself (在全国
    总量中的比重为50.5%): no quantity that the figures after it could be about."""
    return indicator.names_ratio(name) or own and (chunk.rstrip().endswith(name + "的")
                                                   or chunk.lstrip().startswith("占"))


def _indicator(t: str, norm: Normalised, f: _Found, left: int, sentence_named: bool,
               ahead: tuple[int, int] | None = None, subject_from: int = 0) -> tuple[str, str] | None:
    """The indicator phrase, in the original script and as normalised text: after a count's
    classifier, else before."""
    m = f.m
    span = None
    if m.form == "streak":
        # 连续16年领跑全国: what the streak is of follows it; 十一连丰 names itself.
        prefixed = m.start < m.num_start
        span = _shift(indicator.after(t[m.end:m.end + 16]), m.end) if prefixed else (m.end - 2, m.end)
    elif (f.kind == "count" and m.form == "general") or m.form in ("half", "cheng", "fraction"):
        span = _shift(indicator.after(t[m.end:m.end + 16], divisions=f.unit == "个",
                                      events=indicator.counts_events(f.unit)), m.end)
    elif f.kind == "share" and t.startswith("的", m.end):
        # 集中了全省42%的人口和47%的GDP, 贡献了70%以上的税收: the noun after 的 is what is shared out
        span = _shift(indicator.after(t[m.end:m.end + 16]), m.end)
    elif m.form == "counter":
        # 7省市, 10个省: the counted noun is the quote's own, the 个 of 10个省 aside
        noun = m.num_start + len(m.numeral)
        span = (noun + (t[noun] == "个"), m.end)
    if span is None:
        if m.form == "rank":
            # 财政收入总量居全市第三位: the rank's verb and scope (居全市) stand between
            span = _shift(indicator.before_rank(t[left:m.verb_start if m.verb_start > left else m.start]), left)
        else:
            span = _shift(indicator.before(t[left:m.start], share=f.kind == "share"), left)
    obj = m.form in ("general", "percent") and indicator.opens_object(t[left:m.start])
    if obj or (m.form == "general" and span is not None and indicator.ends_in_verb(t[span[0]:span[1]])):
        # 产业园拿下431亩土地, 港以22866万吨的吞吐量: the noun after the unit names the quantity, even
        # a generic one after a preposition (连云港港以8.8%的增速冲进前十 → 增速)
        span = _shift(indicator.after(t[m.end:m.end + 16], generic=obj), m.end) or span
    if span is None and ahead is not None and ahead[0] < ahead[1]:
        # 汽车制造业工业增加值上半年同比增长10.3%: nothing between period and number names it
        span = _shift(indicator.before_period(t[ahead[0]:ahead[1]], share=f.kind == "share"), ahead[0])
    s_start, c_start = f.sentence[0], f.clause[0]
    if span is None and c_start > s_start and not sentence_named:
        s_start = max(s_start, min(subject_from, c_start))
        span = _shift(indicator.subject(t[s_start:c_start]), s_start)
    return None if span is None else indicator.name_at(t, norm, span)


def _plan(t: str, ctx: Context, f: _Found, published: date | None, guessed: bool = False) -> None:
    """Make the claim a target when a plan or forecast governs it and its period is not past."""
    m = f.m
    if m.form in ("streak", "rank") or f.kind == "abs_change":
        return
    c_end, s_start = f.clause[1], f.sentence[0]
    scope = max(s_start, f.clause_before)  # this clause and the one before
    if (scope < f.clause[0] and kinds.states_own(t[f.clause[0]:m.start])
            and kinds.holds_figure(t[scope:f.clause[0]])):
        # 预计产值达到400万元,种植户达到450户: the cue stays with the figure of its own clause (but
        # 到2030年,粮食产量达到2000亿斤: a clause with no figure of its own is the next one's adverbial)
        scope = f.clause[0]
    planned = (kinds.is_target(t[scope:m.end]) or kinds.opens_target_list(t[s_start:m.start])
               or ctx.section_target(f.para_index) or kinds.names_target(t[m.end:c_end]))
    if not planned or kinds.after_past_marker(t[max(0, m.start - 4):m.start]):
        return
    year = year_of(f.period)
    if published is not None and year is not None and year < published.year:
        if not guessed:
            return  # 预计全省地区生产总值增长6% in a report on last year: a result
        # 全年…预期增长5%左右 in March: the year was guessed as last (a bulletin's 全年), but a
        # plan with no year of its own is for the year it is made in
        f.period = shift_years(f.period, 1)  # type: ignore[arg-type]  # it holds the year found
    if f.kind not in ("pct_change", "pp_change"):
        f.direction = None
    f.kind = "target"
    if f.period is not None and f.period == year_so_far(published):
        f.period = f.period[:4]  # 今年以来持续高于…5%左右的增速目标: a plan is for the whole year
    if kinds.is_capacity(t[scope:m.start]):
        f.period = None  # 园区投产达效后,年可实现产值15亿元: a capacity, not a year's figure


def _echo_repeats(t: str, found: list[_Found]) -> None:
    """A figure that names nothing where it stands takes the indicator (and, lacking its own, the
    period) of the same figure named elsewhere in the text: a headline's 170亿元! is the body's
    总投资额170亿元.  A figure named alike but with no period takes the period (headline 外贸规模…
    增4.7% and body 2025年…增长4.7%).  Only a figure of two digits or more (破千亿 and 5% recur for
    many measures), and only when every occurrence it could borrow from agrees."""
    wanted = {q for f in found if (not f.name_key or f.period is None)
              and sum(map(str.isdigit, q := t[f.m.start:f.m.end])) >= 2}
    if not wanted:
        return  # most texts: every figure named and dated, or only short ones not
    named: dict[str, list[_Found]] = {}
    echoed: list[_Found] = []  # figures whose period came from their echo
    for f in found:
        if f.name_key and (quote := t[f.m.start:f.m.end]) in wanted:
            named.setdefault(quote, []).append(f)
    for f in found:
        if f.name_key and f.period is not None:
            continue
        same = named.get(t[f.m.start:f.m.end])
        if not same:
            continue
        if not f.name_key:
            if len({(g.name_key, g.kind) for g in same}) > 1 or same[0].kind != f.kind:
                continue
            f.name, f.name_key = same[0].name, same[0].name_key
            if f.period is None and same[0].period is not None:
                f.period = same[0].period
                echoed.append(f)
        else:
            dated = {g.period for g in same
                     if g is not f and g.name_key == f.name_key and g.kind == f.kind and g.period}
            if len(dated) == 1:
                f.period = dated.pop()
                echoed.append(f)
    # 大湾区内地9市外贸规模超9万亿,增4.7%: a figure dated by its echo dates the undated figures of
    # the same measure in its sentence (which states no period, or they would have one)
    if echoed:
        by_sentence: dict[tuple[int, int], list[_Found]] = {}
        for f in found:
            if f.period is None:
                by_sentence.setdefault(f.sentence, []).append(f)
        for e in echoed:
            for f in by_sentence.get(e.sentence, ()):
                if f.period is None and f.name_key == e.name_key:
                    f.period = e.period


def _assign_sectors(t: str, found: list[_Found]) -> None:
    """The indicator's own words decide; else the main sector of its paragraph's claims, which
    beats a stray word elsewhere in the sentence; else the sentence; else a weak word of the
    indicator's own (产量, 机构: the claim's word beats a guess from the rest of the article);
    else the article's."""
    strong = [indicator.sector_of(f.name_key) for f in found]
    of_sentence = {span: indicator.sector_of(t[span[0]:span[1]]) for span in {f.sentence for f in found}}
    sentence = [of_sentence[f.sentence] for f in found]
    by_para: dict[int, list[str | None]] = {}
    for f, s in zip(found, strong):
        by_para.setdefault(f.paragraph, []).append(s)
    doc_sector = indicator.dominant(strong) or indicator.dominant(sentence)
    para_sector = {p: indicator.dominant(sectors) for p, sectors in by_para.items()}
    for f, s, ss in zip(found, strong, sentence):
        f.sector = (s or para_sector[f.paragraph] or ss or indicator.sector_of(f.name_key, weak=True)
                    or doc_sector or indicator.sector_of(t[f.sentence[0]:f.sentence[1]], weak=True) or "other")


def _claims(text: str, norm: Normalised, found: list[_Found], doc: str | None, spans: list[tuple[int, int]],
            occurrences: list[int], places: list[tuple | None]) -> list[Claim]:
    """The Claim records, built positionally (in Claim's field order): keywords cost twice as much."""
    out = []
    sentences: dict[tuple[int, int], str] = {}  # claims of one sentence share its text
    units: dict[str, tuple[str, float, str]] = {}
    for f, (start, end), occurrence, place in zip(found, spans, occurrences, places):
        m = f.m
        u = units.get(f.unit)
        if u is None:
            row = rules.unit(f.unit)
            u = units[f.unit] = (row.output, row.factor, row.canonical)
        sentence = sentences.get(f.sentence)
        if sentence is None:
            ss, se = norm.span(f.sentence[0], max(f.sentence[0] + 1, f.sentence[1]))
            sentence = sentences[f.sentence] = text[ss:se].strip()
        value = float(f"{m.value:.15g}")  # 1026.6 * 1e8, not 102659999999.99998
        # 15 digits survive a round trip: a factor of 1 leaves the value as it is
        canonical = value if u[1] == 1.0 else float(f"{value * u[1]:.15g}")
        out.append(Claim(doc, text[start:end], start, end, occurrence, value, u[0], f.kind, m.approx, f.direction,
                         m.value_high, canonical, u[2], f.name, f.sector, f.period,
                         *(place or _NO_PLACE), sentence))  # type: ignore[call-arg]  # 6 place fields
    return out


_NO_PLACE = (None,) * 6


def _occurrences(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """For each span, 1 + how often its text occurs before it (as `str.count` counts, without
    overlaps), each text's matches walked once along the document instead of counted from the start."""
    out = []
    walked: dict[str, list[int]] = {}  # quote → [where the count's scan resumes, matches so far]
    for start, end in spans:
        quote = text[start:end]
        state = walked.get(quote)
        if state is None or state[0] > start:
            state = walked[quote] = [0, 0]
        pos, n = state
        size = len(quote) or 1
        while (at := text.find(quote, pos, start)) >= 0:
            n += 1
            pos = at + size
        state[0], state[1] = pos, n
        out.append(n + 1)
    return out


def _shift(span: tuple[int, int] | None, by: int) -> tuple[int, int] | None:
    return None if span is None else (span[0] + by, span[1] + by)


def _places(text: str, spans: list[tuple[int, int]]) -> list[tuple | None]:
    """Each span's place values (geo.PLACE_FIELDS) from geo/, which never imports this package."""
    import geo

    return geo.places(text, spans)
