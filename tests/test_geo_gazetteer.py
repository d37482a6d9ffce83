"""The gazetteer tables: counts, integrity, every county resolvable by name."""
from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import geo
from geo import gazetteer, names
from geo.mentions import ancestors

ROOT = Path(__file__).resolve().parents[1]


from geo import Span


def test_row_counts_per_level():
    levels = Counter(p.level for p in names.places().values())
    assert levels["country"] == 1
    assert levels["province"] == 34
    assert 330 <= levels["city"] <= 340
    assert 2840 <= levels["county"] <= 2900
    assert len(gazetteer.provinces()) == 34


def test_integrity():
    places = names.places()
    for p in places.values():
        if p.level != "country":
            assert p.parent in places and places[p.province].level == "province"
            assert p.full_name.startswith(places[p.province].name)
            assert p.full_name.endswith(p.name)
    full = Counter(p.full_name for p in places.values())
    assert not [n for n, k in full.items() if k > 1]
    assert len(names.towns()) > 30000
    for town, counties in list(names.towns().items())[:2000]:
        assert all(places[c].level == "county" for c in counties)
    for z in names.zones().values():
        assert z.parent in places
    for r in names.renames():
        assert r["new_adcode"] in places
    assert all(c in places for c in gazetteer.centroids())


def test_lookups():
    assert gazetteer.place("310107")["full_name"] == "上海市普陀区"
    assert {c["name"] for c in gazetteer.children("310000")} >= {"普陀区", "宝山区", "浦东新区"}
    assert [p["adcode"] for p in gazetteer.lookup("沪")] == ["310000"]
    assert {p["adcode"] for p in gazetteer.lookup("普陀区")} == {"310107", "330903"}
    assert [p["adcode"] for p in gazetteer.lookup("襄樊")] == ["420600"]
    lat, lon = gazetteer.centroid("310000")
    assert 30.5 < lat < 31.9 and 120.8 < lon < 122.2
    with pytest.raises(KeyError):
        gazetteer.place("999999")


def _unique_names() -> dict[str, str]:
    counts = Counter()
    for key, entries in names.aliases().items():
        counts[key] = len({e.target for e in entries if e.kind == "place"})
    return counts


def test_every_county_resolves_from_its_full_name():
    """Unique names alone; shared names with the parent city (or province) before them."""
    places = names.places()
    counts = _unique_names()
    generic = set(names.vocab()["generic_names"])
    failures = []
    for code, p in places.items():
        if p.level != "county":
            continue
        alone = counts[p.name] == 1 and p.name not in generic and len(names.aliases()[p.name]) == 1
        text = (p.name if alone else places[p.parent].name + p.name) + "今年地区生产总值增长6.5%。"
        at = text.index("6.5%")
        got = geo.link(text, [Span(at, at + 4)])[0]
        if got.adcode != code:
            failures.append((p.full_name, text, got.place))
    assert not failures, failures[:20]


def test_every_county_resolves_from_its_short_name_where_unique():
    """A bare short name needs its city in the article (宝山 alone could be anything)."""
    places = names.places()
    counts = _unique_names()
    common = set(names.vocab()["common_words"])
    failures, tried = [], 0
    for key, entries in names.aliases().items():
        forms = [e for e in entries if e.kind == "place" and e.form == "short"]
        if len(entries) != 1 or not forms or key in common or counts[key] != 1:
            continue
        p = places[forms[0].target]
        if p.level != "county":
            continue
        tried += 1
        text = f"{places[p.parent].name}召开会议。{key}今年地区生产总值增长6.5%。"
        at = text.index("6.5%")
        got = geo.link(text, [Span(at, at + 4)])[0]
        if got.adcode != p.adcode:
            failures.append((key, p.full_name, got.place))
    assert tried > 2000
    assert not failures, failures[:20]


def test_boundaries():
    prov = gazetteer.boundaries("province")
    assert len(prov["features"]) == 34
    size = (ROOT / "geo" / "data" / "boundaries_province.geojson").stat().st_size
    assert size <= 1_500_000
    sh = gazetteer.boundaries("county", "310000")
    assert {f["properties"]["name"] for f in sh["features"]} >= {"普陀区", "宝山区"}
    assert all("310000" in ancestors(f["properties"]["adcode"]) for f in sh["features"])
    city = gazetteer.boundaries("city")
    codes = {f["properties"]["adcode"] for f in city["features"]}
    assert {"310000", "420500", "429004", "810000"} <= codes
    lon, lat = prov["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 73 < lon < 136 and 3 < lat < 54
    with pytest.raises(ValueError):
        gazetteer.boundaries("town")


def test_name_tables_do_not_drift():
    """Rebuilding the name tables from the installed packages gives the committed files."""
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--check", "--names"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
def test_boundaries_do_not_drift():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_bad_data_names_the_file(tmp_path, monkeypatch):
    bad = tmp_path / "places.csv"
    bad.write_text("adcode,level,name,parent,province,full_name\n100000,country,中国,,,中国\n"
                   "110000,province,北京市,999999,110000,北京市\n", encoding="utf-8")
    monkeypatch.setattr(names, "DATA", tmp_path)
    names.places.cache_clear()
    try:
        with pytest.raises(names.GeoDataError, match="places.csv.*dangling parent 999999"):
            names.places()
    finally:
        names.places.cache_clear()
