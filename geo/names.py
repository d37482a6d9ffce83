"""The name index: every place name, alias, zone, region and cue word in one index.

Loaded once, lazily. Data errors (an alias naming an unknown adcode, a duplicate row) raise
GeoDataError naming the file.
"""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

# The package's folder, not this file's: a compiled build of this module lives in build/native/.
HERE = Path(str(resources.files("geo")))
DATA = HERE / "data"


class GeoDataError(ValueError):
    """A geo data file is missing, malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class Place:
    """One division (or the country) from geo/data/places.csv."""

    adcode: str
    level: str          # country | province | city | county
    name: str
    parent: str
    province: str       # adcode of the province-level ancestor ('' for the country)
    full_name: str


@dataclass(frozen=True, slots=True)
class Zone:
    """A functional area (新区, 自贸区, 高新区…) that rolls up to its parent division."""

    name: str
    parent: str
    kind: str


@dataclass(frozen=True, slots=True)
class Entry:
    """What one matched string can mean.

    kind: place (target = adcode), town (target = county adcode), zone (target = zone name),
    region / landmark / media / institution (target = adcode), country, cue (target = level),
    word (a word that holds a name but names no place: 国内外), foreign (a place abroad).
    form: name | short | variant | alias | old (a renamed division's former name).
    """

    kind: str
    target: str
    form: str = "name"


def _read_csv(path: Path, fields: tuple[str, ...]) -> list[dict]:
    if not path.exists():
        raise GeoDataError(f"{path}: missing (run scripts/build_gazetteer.py)")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != fields:
            raise GeoDataError(f"{path}: expected columns {','.join(fields)}, got {reader.fieldnames}")
        return list(reader)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise GeoDataError(f"{path}: {err}") from err
    if not isinstance(data, dict):
        raise GeoDataError(f"{path}: expected a mapping at the top level")
    return data


def _unique(path: Path, items: list[str], what: str) -> None:
    seen = set()
    for item in items:
        if item in seen:
            raise GeoDataError(f"{path}: duplicate {what} {item!r}")
        seen.add(item)


@functools.cache
def places() -> dict[str, Place]:
    """All divisions by adcode, with parents checked."""
    path = DATA / "places.csv"
    rows = _read_csv(path, ("adcode", "level", "name", "parent", "province", "full_name"))
    _unique(path, [r["adcode"] for r in rows], "adcode")
    out = {r["adcode"]: Place(**r) for r in rows}
    for p in out.values():
        if p.level not in ("country", "province", "city", "county"):
            raise GeoDataError(f"{path}: {p.adcode} has unknown level {p.level!r}")
        if p.parent and p.parent not in out:
            raise GeoDataError(f"{path}: {p.adcode} has dangling parent {p.parent}")
        if p.province and p.province not in out:
            raise GeoDataError(f"{path}: {p.adcode} has dangling province {p.province}")
    return out


def _check_code(path: Path, code, where: str) -> str:
    code = str(code)
    if code not in places():
        raise GeoDataError(f"{path}: {where} names unknown adcode {code}")
    return code


@functools.cache
def zones() -> dict[str, Zone]:
    """Functional areas by name, from geo/zones.csv."""
    path = HERE / "zones.csv"
    rows = _read_csv(path, ("name", "aliases", "parent", "kind"))
    _unique(path, [r["name"] for r in rows], "zone")
    return {r["name"]: Zone(r["name"], _check_code(path, r["parent"], r["name"]), r["kind"]) for r in rows}


@functools.cache
def vocab() -> dict:
    """geo/aliases.yaml, geo/context.yaml, geo/regions.yaml and geo/media.yaml, checked."""
    out = {}
    for name in ("aliases", "context", "regions", "media"):
        path = HERE / f"{name}.yaml"
        data = _read_yaml(path)
        for key, value in data.items():
            if isinstance(value, list):
                _unique(path, [str(v) for v in value], key)
            if isinstance(value, dict) and key not in ("focus_cues",):
                for k, code in value.items():
                    _check_code(path, code, f"{key}.{k}")
            out[key] = value
    return out


@functools.cache
def renames() -> list[dict]:
    """geo/renames.csv rows: former names of divisions and the adcode they became."""
    path = HERE / "renames.csv"
    rows = _read_csv(path, ("date", "old_name", "old_parent", "new_adcode", "note"))
    _unique(path, [r["old_parent"] + r["old_name"] for r in rows], "old name")
    for r in rows:
        _check_code(path, r["new_adcode"], r["old_name"])
    return rows


@functools.cache
def towns() -> dict[str, tuple[str, ...]]:
    """Town or sub-district name → the county-level adcodes that have one by that name."""
    path = DATA / "towns.csv"
    out: dict[str, list[str]] = {}
    for r in _read_csv(path, ("town", "county")):
        out.setdefault(r["town"], []).append(_check_code(path, r["county"], r["town"]))
    # News drops the 路 of street-named sub-districts (曲阳路街道 → 曲阳街道).
    for town, counties in list(out.items()):
        short = town.removesuffix("路街道") + "街道"
        if town.endswith("路街道") and short not in out and len(short) >= 4:
            out[short] = counties
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def aliases() -> dict[str, tuple[Entry, ...]]:
    """Every linkable string → what it can mean."""
    v = vocab()
    table: dict[str, list[Entry]] = {}

    def add(key: str, entry: Entry) -> None:
        bucket = table.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)

    path = DATA / "aliases.csv"
    for r in _read_csv(path, ("alias", "adcode", "kind")):
        add(r["alias"], Entry("place", _check_code(path, r["adcode"], r["alias"]), r["kind"]))
    for alias, code in v["extra_aliases"].items():
        add(alias, Entry("place", str(code), "alias"))
    for r in renames():
        old = r["old_name"]
        short = old[:-1] if old[-1] in "市县区" and len(old) >= 3 else None
        for name in filter(None, (old, short)):
            if name not in table:  # a former name still in use elsewhere stays current
                add(name, Entry("place", r["new_adcode"], "old"))
    for name, z in zones().items():
        add(name, Entry("zone", name))
    for r in _read_csv(HERE / "zones.csv", ("name", "aliases", "parent", "kind")):
        for alias in filter(None, r["aliases"].split("|")):
            add(alias, Entry("zone", r["name"], "alias"))
    for key, kind in (("regions", "region"), ("landmarks", "landmark"), ("outlets", "media")):
        for name, code in v[key].items():
            add(name, Entry(kind, str(code)))
    for name in v["national_institutions"]:
        add(name, Entry("institution", "100000"))
    for name in v["country_words"]:
        add(name, Entry("country", "100000"))
    for name in v["foreign_places"]:
        table[name] = [Entry("foreign", "")]  # outside China: read, so that its tail is no name
    for word in v["not_place_words"]:
        table[word] = [Entry("word", "")]  # 国内外: a word that holds a name (国内) but names no place
    for cue, level in v["focus_cues"].items():
        table[cue] = [Entry("cue", level)]  # 全州 the cue, not 全州县's short name
    for town, counties in towns().items():
        if town not in table:
            for c in counties:
                add(town, Entry("town", c))
    return {k: tuple(e) for k, e in table.items()}


@functools.cache
def _automaton():
    """Every name as one Aho-Corasick automaton (compiled, leftmost-longest), with the names
    in the order of its pattern indexes."""
    import ahocorasick_rs
    keys = list(aliases())
    for key in keys:
        if len(key) < 2:
            raise GeoDataError(f"name {key!r} is shorter than two characters")
    # The contiguous NFA: a DFA would scan a little faster but takes ~100 MB for these names.
    return keys, ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                                            implementation=ahocorasick_rs.Implementation.ContiguousNFA)


def codepoints(text: str) -> np.ndarray:
    """The code point of every character of `text`, as uint32."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def find(text: str) -> list[tuple[int, str]]:
    """(start, key) of every known name in `text`, leftmost-longest, not overlapping: at each
    position the longest name starting there, the search going on after it."""
    keys, automaton = _automaton()
    return [(start, keys[i]) for i, start, _ in automaton.find_matches_as_indexes(text)]


@functools.cache
def _t2s_array() -> np.ndarray:
    out = np.arange(0x110000, dtype=np.uint32)
    for k, v in t2s_table().items():
        out[k] = ord(v)
    return out


def simplify(text: str) -> tuple[str, np.ndarray]:
    """`text.translate(t2s_table())` and its code points, vectorised."""
    chars = _t2s_array().take(codepoints(text))
    return chars.tobytes().decode("utf-32-le"), chars


@functools.cache
def t2s_table() -> dict[int, str]:
    """One-to-one traditional → simplified character map (offset-preserving str.translate)."""
    import opencc
    path = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            table[ord(parts[0])] = parts[1]
    # Characters that simplified names use as they are (乾安县, not 干安县) are left alone.
    used = {ord(ch) for key in aliases() for ch in key}
    return {k: v for k, v in table.items() if k not in used}
