"""Which claims are one fact: the fact key (canonical indicator, place, period, kind, unit) and the
indicator synonym table it reads (data/indicator_synonyms.yaml, checked at load)."""
from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import regex

# The package's folder, not this file's: a compiled build of this module lives in build/native/.
SYNONYMS_PATH = Path(str(resources.files("data"))) / "indicator_synonyms.yaml"


class SynonymError(ValueError):
    """Malformed synonym table; the message names the file and the problem."""


@cache
def synonyms(path: Path = SYNONYMS_PATH) -> dict[str, str]:
    """Every listed indicator name → its canonical name, checked: no name in two groups, none repeated."""
    from indicators.rules import load_yaml

    data = load_yaml(path, SynonymError)
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, dict) or not groups:
        raise SynonymError(f"{path}: expected a mapping `groups` of canonical name → list of synonyms")
    out: dict[str, str] = {}
    for canonical, names in groups.items():
        if not isinstance(canonical, str) or not isinstance(names, list) or not names:
            raise SynonymError(f"{path}: group {canonical!r} must map a name to a non-empty list of names")
        for name in [canonical, *names]:
            if not isinstance(name, str) or not name.strip():
                raise SynonymError(f"{path}: group {canonical!r} holds {name!r}, not a name")
            if _simplify(name) != name:
                raise SynonymError(f"{path}: {name!r} (group {canonical!r}) is not in simplified half-width "
                                   f"form; write {_simplify(name)!r}")
            if name in out:
                where = "twice in group" if out[name] == canonical else f"in groups {out[name]!r} and"
                raise SynonymError(f"{path}: {name!r} stands {where} {canonical!r}")
            out[name] = canonical
    return out


@lru_cache(maxsize=65536)
def _simplify(text: str) -> str:
    from indicators.normalize import normalise

    return regex.sub(r"\s+", "", normalise(text).text)


@lru_cache(maxsize=65536)
def canonical_indicator(name: str | None) -> str | None:
    """The canonical indicator name: simplified script, then the synonym table."""
    if not name:
        return None
    simple = _simplify(name)
    return synonyms().get(simple, simple) or None


def fact_key(c: dict) -> tuple | None:
    """(indicator, place key, period, kind, unit) of a claim dict, or None when it cannot join a fact."""
    indicator = canonical_indicator(c.get("indicator"))
    place = c.get("adcode") or (("place:" + _simplify(c["place"])) if c.get("place") else None)
    if not indicator or not place or not c.get("period"):
        return None
    return indicator, place, c["period"], c["kind"], c["unit"]


def digest(*parts) -> str:
    """A short stable id of `parts` (fact and key ids)."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=65536)  # asked for each claim's key, and again for the key's fact
def key_id(key: tuple) -> str:
    """The id of a fact key (the fact's id unless the key is split)."""
    return digest(*key)
