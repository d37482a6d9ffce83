"""Admin areas for the place filter and the map: the gazetteer's tree, limited to areas with claims."""
from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from geo import gazetteer

from .state import q

COUNTRY = "100000"


def significant(adcode: str) -> str:
    """The significant prefix of a six-digit code (310000 → 31, 330100 → 3301, 429004 → 429004)."""
    code = str(adcode)
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def name(adcode: str) -> str:
    """The official short name of an admin code, or the code itself when the gazetteer lacks it."""
    try:
        return gazetteer.place(adcode)["name"]
    except KeyError:
        return str(adcode)


@st.cache_resource(show_spinner=False)
def _children(adcode: str) -> tuple[dict, ...]:
    return tuple(gazetteer.children(adcode))


def children(adcode: str | None) -> tuple[dict, ...]:
    """The gazetteer's divisions directly under `adcode` (provinces under None)."""
    try:
        return _children(adcode or COUNTRY)
    except KeyError:
        return ()


def options(parent: str | None) -> dict[str, str]:
    """{adcode: name} of the divisions directly under `parent` that hold claims, most claims first."""
    counts = q("adcode_counts")
    totals = []
    for child in children(parent):
        prefix = significant(child["adcode"])
        n = int(counts.loc[counts["adcode"].str.startswith(prefix), "claims"].sum()) if len(counts) else 0
        if n:
            totals.append((child["adcode"], child["name"], n))
    return {code: label for code, label, _ in sorted(totals, key=lambda x: (-x[2], x[0]))}


def drill_level() -> tuple[str, str | None, str]:
    """(level drawn, parent code, sidebar key a click selects) from the sidebar's place filter."""
    ss = st.session_state
    if ss.get("f_city"):
        if children(ss["f_city"]):
            return "county", ss["f_city"], "f_dist"
        return "county", ss.get("f_prov"), "f_city"  # a municipality's district: show its siblings
    if ss.get("f_prov"):
        levels = {c["level"] for c in children(ss["f_prov"])}
        return ("city" if "city" in levels else "county"), ss["f_prov"], "f_city"
    return "province", None, "f_prov"


@functools.cache
def _by_prefix(level: str) -> dict[str, list]:
    # Admin codes nest by prefix, so one pass groups a whole layer by province and city; the
    # gazetteer's own parent filter walks every feature's ancestry on each call (0.4 s per province).
    index: dict[str, list] = {}
    for feat in gazetteer.boundaries(level)["features"]:
        code = feat["properties"]["adcode"]
        index.setdefault(code[:2], []).append(feat)
        index.setdefault(code[:4], []).append(feat)
    return index


def warm() -> None:
    """Parse and index the city and county boundaries (about 0.5 s), e.g. in a background thread."""
    for level in ("city", "county"):
        _by_prefix(level)


def boundaries(level: str, parent: str | None) -> dict:
    """GeoJSON of the `level` areas under `parent` (the area itself where it has no lower level)."""
    if parent is None:
        return gazetteer.boundaries(level)
    prefix = significant(parent)
    if len(prefix) == 6:
        return gazetteer.boundaries(level, parent)
    return {"type": "FeatureCollection", "features": _by_prefix(level).get(prefix, [])}


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack result frames (the per-prefix-length region stats)."""
    frames = [df for df in frames if not df.empty]
    if not frames:
        return pd.DataFrame({"prefix": [], "claims": [], "latest_value": [], "latest_unit": [],
                             "latest_period": []})
    return pd.concat(frames, ignore_index=True)


def painted_map(f, level: str, parent: str | None, indicator: str | None, labels: dict,
                facts: bool = False) -> dict:
    """The areas of `level` under `parent`, painted by claims or facts (or the latest value of `indicator`)."""
    from . import mapview

    shapes = boundaries(level, parent)
    lengths = sorted({len(significant(ft["properties"]["adcode"])) for ft in shapes["features"]})
    stats = concat([q("fact_region_stats" if facts else "region_stats", f, n, indicator) for n in lengths])
    return mapview.paint(shapes, stats, "latest_value" if indicator else "claims", labels)
