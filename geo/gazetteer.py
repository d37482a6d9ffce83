"""Look-ups for the dashboard: places by adcode, children, provinces, centroids, boundaries.

Boundaries are simplified AMap polygons converted from GCJ-02 to WGS-84 by
scripts/build_geo_boundaries.py; each feature carries adcode, name, full_name, level, parent.
"""
from __future__ import annotations

import csv
import functools
import json

from . import names
from .names import DATA, GeoDataError

LEVELS = ("province", "city", "county")


def place(adcode: str) -> dict:
    """The division with this adcode as a dict (adcode, level, name, parent, province, full_name)."""
    p = names.places().get(str(adcode))
    if p is None:
        raise KeyError(f"unknown adcode {adcode!r}")
    return {"adcode": p.adcode, "level": p.level, "name": p.name, "parent": p.parent,
            "province": p.province, "full_name": p.full_name}


def children(adcode: str) -> list[dict]:
    """The divisions directly under `adcode` (provinces under 100000), by adcode."""
    return [place(c) for c, p in sorted(names.places().items()) if p.parent == str(adcode)]


def provinces() -> list[dict]:
    """The 34 province-level divisions, by adcode."""
    return children("100000")


def lookup(name: str) -> list[dict]:
    """Every division a name may denote: official, full, short, former names and abbreviations."""
    name = name.strip().translate(names.t2s_table())
    codes: list[str] = []
    for p in names.places().values():
        if name in (p.full_name, p.name):
            codes.append(p.adcode)
    for e in names.aliases().get(name, ()):
        code = e.target if e.kind in ("place", "town") else None
        if e.kind == "zone":
            code = names.zones()[e.target].parent
        if code and code not in codes:
            codes.append(code)
    abbr = names.vocab()["abbreviations"].get(name)
    if abbr and str(abbr) not in codes:
        codes.append(str(abbr))
    return [place(c) for c in codes]


@functools.cache
def _centroids() -> dict[str, tuple[float, float]]:
    path = DATA / "centroids.csv"
    if not path.exists():
        raise GeoDataError(f"{path}: missing (run scripts/build_gazetteer.py)")
    with path.open(encoding="utf-8", newline="") as f:
        return {r["adcode"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)}


def centroid(adcode: str) -> tuple[float, float] | None:
    """(lat, lon) in WGS-84 of a point inside the division, or None if it has no boundary."""
    return _centroids().get(str(adcode))


def centroids(level: str | None = None) -> dict[str, tuple[float, float]]:
    """(lat, lon) by adcode, optionally only for one level."""
    if level is None:
        return dict(_centroids())
    return {c: ll for c, ll in _centroids().items() if names.places()[c].level == level}


@functools.cache
def _layer(level: str) -> dict:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    path = DATA / f"boundaries_{level}.geojson"
    if not path.exists():
        raise GeoDataError(f"{path}: missing (run scripts/build_gazetteer.py)")
    return json.loads(path.read_text(encoding="utf-8"))


def boundaries(level: str, parent_adcode: str | None = None) -> dict:
    """A GeoJSON FeatureCollection of `level` polygons, optionally only those under a parent.

    level "city" covers the country with prefecture-level units: municipalities, Hong Kong,
    Macau, Taiwan and province-administered cities appear as themselves. level "county"
    likewise includes prefectures that have no counties (东莞市, 中山市).
    """
    layer = _layer(level)
    feats = layer["features"]
    if parent_adcode is not None:
        want = str(parent_adcode)
        from .mentions import ancestors
        feats = [f for f in feats if want in ancestors(f["properties"]["adcode"])[1:]
                 or (f["properties"]["adcode"] == want and level != "province")]
    return {"type": "FeatureCollection", "features": feats}
