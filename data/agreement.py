"""Values that agree within rounding.

Each claim stands for the interval of true values its quote is consistent with (1640亿 →
[1639.5亿, 1640.5亿); 超400 → [400, 500]; 近百 → [0, 100]); claims agree when their intervals meet,
and a fact's claims fall into clusters whose intervals share a common point.
"""
from __future__ import annotations

import math
from functools import lru_cache

import regex

CHANGE_KINDS = ("pct_change", "pp_change", "abs_change", "multiple")
_NUMBER = regex.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@lru_cache(maxsize=65536)
def _steps(quote: str, value: float) -> tuple[float, float]:
    """(last written digit's place value, last non-zero digit's place value), in the value's units."""
    from indicators.normalize import normalise

    best = None
    for m in _NUMBER.finditer(normalise(quote).text):
        literal = float(m.group().replace(",", ""))
        if literal == 0 or value == 0:
            continue
        ratio = value / literal
        exp = round(math.log10(abs(ratio)))
        if abs(abs(ratio) / 10 ** exp - 1) < 1e-6:
            best = (m.group().replace(",", ""), 10.0 ** exp)
            break
    if best is None:  # numerals in characters (十多万, 八成): precision of the value's last non-zero digit
        unit = _last_nonzero(value)
        return unit, unit
    digits, mult = best
    whole, _, frac = digits.partition(".")
    step = 10.0 ** -len(frac) * mult
    if frac.rstrip("0"):
        return step, 10.0 ** -len(frac.rstrip("0")) * mult
    zeros = len(whole) - len(whole.rstrip("0")) if whole.strip("0") else 0
    return step, 10.0 ** zeros * mult


def _last_nonzero(value: float) -> float:
    v = abs(value)
    if v == 0:
        return 1.0
    for d in range(0, 7):
        scaled = v * 10 ** d
        if abs(scaled - round(scaled)) <= 1e-6 * max(1.0, scaled):
            if d:
                return 10.0 ** -d
            n, z = int(round(v)), 0
            while n and n % 10 == 0:
                n, z = n // 10, z + 1
            return 10.0 ** z
    return 10.0 ** -6


@lru_cache(maxsize=65536)  # a widely reported key's claims are all re-read whenever another joins it
def interval(quote: str, value: float, value_high: float | None = None, approx: str = "exact",
             direction: str | None = None, kind: str | None = None) -> tuple[float, float]:
    """The true values a claim is consistent with, [lo, hi), signed (a fall is negative)."""
    step, unit = _steps(quote, value)
    lo, hi = value, value if value_high is None else max(value, value_high)
    if approx == "more_than":
        lo, hi = lo, hi + unit
    elif approx == "less_than":
        lo, hi = lo - unit, hi
    elif approx == "about":
        lo, hi = lo - unit / 2, hi + unit / 2
    else:
        lo, hi = lo - step / 2, hi + step / 2
    if direction == "down" and kind in CHANGE_KINDS:
        lo, hi = -hi, -lo
    return lo, hi


def meet(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float] | None:
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    eps = 1e-9 * max(1.0, abs(lo), abs(hi))
    return (lo, hi) if lo < hi - eps else None


def agree(a: dict, b: dict) -> bool:
    """Whether two claims (dicts with quote, value, value_high, approx, direction, kind) agree within rounding."""
    return meet(span(a), span(b)) is not None


def span(c: dict) -> tuple[float, float]:
    return interval(c["quote"], c["value"], c.get("value_high"), c.get("approx") or "exact",
                    c.get("direction"), c.get("kind"))


def clusters(members: list[dict]) -> list[list[dict]]:
    """Members grouped by value: sorted by interval, each group's intervals share a common point."""
    out: list[list[dict]] = []
    common: tuple[float, float] | None = None
    for m in sorted(members, key=lambda m: (m["_span"], m["claim_id"])):
        both = meet(common, m["_span"]) if common else None
        if both is None:
            out.append([m])
            common = m["_span"]
        else:
            out[-1].append(m)
            common = both
    return out


def best(cluster: list[dict]) -> dict:
    """The most precise statement of a value: narrowest interval, exact first, earliest claim."""
    return min(cluster, key=lambda m: (m["_span"][1] - m["_span"][0], m["approx"] != "exact", m["claim_id"]))
