"""Admin areas for the place filter and the map: codes with claims, named by the gazetteer."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .state import q, t


def gazetteer():
    """The `geo.gazetteer` module, or None while it is not available."""
    try:
        from geo import gazetteer as gz
    except ImportError:
        return None
    return gz


def name(adcode: str, fallback: str | None = None) -> str:
    """The official name of an admin code, else `fallback`, else the code itself."""
    gz = gazetteer()
    if gz is not None:
        try:
            entry = gz.by_adcode(adcode)
        except (KeyError, ValueError, AttributeError):
            entry = None
        if entry is not None:
            return getattr(entry, "name", None) or entry["name"]
    return fallback or str(adcode)


def options(parent: str | None) -> dict[str, str]:
    """{adcode: name} of the areas one level below `parent` (None: provinces) that hold claims."""
    df = q("place_options", parent)
    out = {}
    for code, fallback in zip(df["adcode"], df["name"]):
        label = name(code, fallback)
        if label == code and parent is not None:
            label = f"{name(parent)} · {code}"
        out[code] = label
    return out


def boundaries(level: str, parent: str | None) -> dict | None:
    """GeoJSON of the `level` areas (province, city, county) under `parent`, or None without geo/."""
    gz = gazetteer()
    if gz is None or not hasattr(gz, "boundaries"):
        return None
    return _boundaries(gz, level, parent)


@st.cache_resource(show_spinner=False, max_entries=64)
def _boundaries(_gz, level: str, parent: str | None) -> dict:
    # Boundaries never change while the app runs; keep one copy per process, not per session.
    return _gz.boundaries(level, parent)


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack result frames (the per-prefix-length region stats)."""
    frames = [df for df in frames if not df.empty]
    if not frames:
        return pd.DataFrame({"prefix": [], "claims": [], "latest_value": [], "latest_unit": [],
                             "latest_period": []})
    return pd.concat(frames, ignore_index=True)


def drill_level() -> tuple[str, str | None, str]:
    """(level shown, parent code, sidebar key a click selects) from the sidebar's place filter."""
    ss = st.session_state
    if ss.get("f_city") or ss.get("f_dist"):
        return "county", ss["f_city"], "f_dist"
    if ss.get("f_prov"):
        return "city", ss["f_prov"], "f_city"
    return "province", None, "f_prov"


def painted_map(f, level: str, parent: str | None, indicator: str | None, labels: dict) -> dict | None:
    """The areas of `level` under `parent`, painted by claims (or the latest value of `indicator`)."""
    from . import mapview

    shapes = boundaries(level, parent)
    if shapes is None:
        return None
    lengths = sorted({len(mapview.significant(ft["properties"]["adcode"])) for ft in shapes["features"]
                      if (ft.get("properties") or {}).get("adcode")})
    stats = concat([q("region_stats", f, n, indicator) for n in lengths])
    return mapview.paint(shapes, stats, "latest_value" if indicator else "claims", labels)
