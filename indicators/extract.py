"""The extraction pipeline: text in, numeric claims out.

normalise → scan numbers → drop non-claims → kind, indicator, period, sector → place (geo) →
map spans back to the original text.
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import date

from . import exclusions, indicator, kinds, rules
from .claim import Claim
from .context import Context
from .normalize import normalise
from .periods import year_of
from .reader import parse_published
from .scan import Mention, outside_approx, scan
from .segments import Segments

EXTRACTOR_VERSION = "0.2.0"


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_right(spans, (start, float("inf")))
    return any(s < end and start < e for s, e in spans[max(0, i - 2): i + 1])


def _shift(span: tuple[int, int] | None, by: int) -> tuple[int, int] | None:
    return None if span is None else (span[0] + by, span[1] + by)


def _candidates(text: str, segs: Segments) -> list[tuple[Mention, str, str]]:
    """Mentions that are claims, each with its unit and the unit's default kind."""
    masked = exclusions.masked_spans(text)
    out = []
    for m in scan(text):
        if masked and _overlaps(masked, m.start, m.end):
            continue
        unit = m.unit
        if unit is None:
            c_start, c_end = segs.clause(m.num_start)
            unit = exclusions.implied_unit(m, text[c_start:c_end])
            if unit is None or exclusions.is_bare_label(text, m):
                continue
        row = rules.unit(unit)
        unit_kind = row.kind
        if row.digits_only and m.chinese and not m.magnitude:
            continue
        if row.needs:
            s_start, s_end = segs.sentence(m.num_start)
            if not any(w in text[s_start:s_end] for w in row.needs):
                continue
        if exclusions.excluded(text, m, unit_kind):
            continue
        out.append((m, unit, unit_kind))
    return out


def extract(text: str, published: date | str | None = None, doc: str | None = None) -> list[Claim]:
    """Every numeric claim in `text`, in document order; `published` dates relative periods."""
    if not text or not text.strip():
        return []
    if isinstance(published, str):
        published = parse_published(published, f"published date of {doc or 'text'}")
    norm = normalise(text)
    t = norm.text
    segs = Segments(t)
    cands = _candidates(t, segs)
    ctx = Context(t, segs, published, [m.start for m, _, _ in cands])

    rows = []
    last_in_sentence: dict[int, str] = {}     # sentence start → last indicator there
    last_count: dict[tuple[int, str], str] = {}  # (paragraph start, unit) → last counted noun
    prev_end = -1
    for m, unit, unit_kind in cands:
        c_start, _ = segs.clause(m.num_start)
        s_start, s_end = segs.sentence(m.num_start)
        p_start, _ = segs.paragraph(m.num_start)
        left = max(c_start, prev_end if prev_end <= m.start else c_start)
        clause_before = t[c_start:m.start]
        kind, direction = kinds.classify(m, clause_before, unit_kind, t[m.end:segs.clause(m.num_start)[1]],
                                         t[s_start:c_start])

        name = None
        span = None
        if m.form == "streak":
            # 连续16年领跑全国: what the streak is of follows it; 十一连丰 names itself.
            prefixed = m.start < m.num_start
            span = _shift(indicator.after(t[m.end:m.end + 16]), m.end) if prefixed else (m.end - 2, m.end)
        elif (kind == "count" and m.form == "general") or m.form in ("half", "cheng", "fraction"):
            span = _shift(indicator.after(t[m.end:m.end + 16]), m.end)
        if span is None:
            left = max([left] + [p.end for p in ctx.periods if left <= p.end <= m.start])
            span = _shift(indicator.before(t[left:m.start], share=kind == "share"), left)
        if span is None and c_start > s_start and not last_in_sentence.get(s_start):
            span = indicator.subject(t[s_start:c_start])
            span = _shift(span, s_start)
        if span is not None:
            a, b = norm.span(*span)
            name = text[a:b].strip() or None
        if name is None and unit_kind == "count":
            name = last_count.get((p_start, unit))
        if name is None:
            name = last_in_sentence.get(s_start)
        if name:
            last_in_sentence[s_start] = name
            if unit_kind == "count" and m.form == "general":
                last_count[(p_start, unit)] = name

        period = ctx.period(m.num_start)
        if m.form not in ("streak", "rank") and kind != "abs_change":
            scope = max(s_start, segs.clause(max(s_start, c_start - 1))[0])
            planned = (kinds.is_target(t[scope:m.end]) or kinds.opens_target_list(t[s_start:m.start])
                       or ctx.section_target(m.num_start)
                       or kinds.names_target(t[m.end:segs.clause(m.num_start)[1]]))
            past = published is not None and period is not None and year_of(period) < published.year
            if planned and not past and not kinds.after_past_marker(t[max(0, m.start - 4):m.start]):
                if kind not in ("pct_change", "pp_change"):
                    direction = None
                kind = "target"
        if m.approx == "exact":
            m.approx = outside_approx(t, m.start) or "exact"
        rows.append((m, unit, kind, direction, name, period, t[s_start:s_end],
                     (s_start, s_end), p_start))
        prev_end = m.end

    # The indicator's own words decide; else the main sector of the claims around it (its
    # paragraph), which beats a stray word elsewhere in the sentence; else the sentence's words.
    strong = [indicator.sector_of(r[4]) for r in rows]
    by_para: dict[int, list[str | None]] = {}
    for r, s in zip(rows, strong):
        by_para.setdefault(r[8], []).append(s)
    sentence_sector = [indicator.sector_of(r[6]) for r in rows]
    doc_sector = indicator.dominant(strong) or indicator.dominant(sentence_sector)
    sectors = [s or indicator.dominant(by_para[r[8]]) or ss or doc_sector
               or indicator.sector_of(r[4], r[6], weak=True) or "other"
               for r, s, ss in zip(rows, strong, sentence_sector)]
    claims = []
    seen: dict[str, int] = {}
    for (m, unit, kind, direction, name, period, _, (s_start, s_end), _), sector in zip(rows, sectors):
        start, end = norm.span(m.start, m.end)
        quote = text[start:end]
        seen[quote] = seen.get(quote, 0)
        occurrence = text.count(quote, 0, start) + 1 if quote else 1
        u = rules.unit(unit)
        value = float(f"{m.value:.15g}")  # 1026.6 * 1e8, not 102659999999.99998
        ss, se = norm.span(s_start, max(s_start + 1, s_end))
        claims.append(Claim(
            doc=doc, quote=quote, start=start, end=end, occurrence=occurrence,
            value=value, value_high=m.value_high, unit=u.output,
            value_canonical=float(f"{value * u.factor:.15g}"), unit_canonical=u.canonical,
            kind=kind, direction=direction, approx=m.approx, indicator=name,
            sector=sector,
            period=period, sentence=text[ss:se].strip(),
        ))
    return _link(text, claims, published)


def _link(text: str, claims: list[Claim], published: date | None) -> list[Claim]:
    """Fill places from geo/ when it offers linking."""
    import geo

    link = getattr(geo, "link", None)
    return link(text, claims, published) if link else claims
