"""Load the rule data in `rules/*.yaml` once, and refuse it loudly when it is malformed."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).with_name("rules")


class RuleError(ValueError):
    """Malformed rule data; the message names the file and the problem."""


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that rejects duplicate mapping keys instead of keeping the last one.

    Built on libyaml where PyYAML has it: the pure-Python parser took half a second of the
    extractor's start-up on the rule files."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise RuleError(f"{loader.name}: duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path, error: type[Exception] | None = None) -> dict:
    """A YAML mapping file, refusing duplicate keys; `error` (RuleError by default) names the file."""
    error = error or RuleError
    try:
        with Path(path).open(encoding="utf-8") as fh:
            loader = _UniqueKeyLoader(fh)
            loader.name = str(path)
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
    except RuleError as err:
        raise error(str(err)) from None
    except yaml.YAMLError as err:
        raise error(f"{path}: not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: must be a mapping at the top level")
    return data


@cache
def load(name: str) -> dict:
    """The parsed `rules/NAME.yaml`, checked for duplicate keys."""
    return load_yaml(RULES_DIR / f"{name}.yaml")


def require(data: dict, key: str, kind: type, name: str):
    """`data[key]`, which must exist and be of `kind`; RuleError naming the file otherwise."""
    if key not in data:
        raise RuleError(f"{RULES_DIR / name}.yaml: missing key {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise RuleError(f"{RULES_DIR / name}.yaml: {key!r} must be a {kind.__name__}")
    return value


def word_list(name: str, key: str) -> tuple[str, ...]:
    """A list of words from a rule file, with duplicates refused."""
    words = require(load(name), key, list, name)
    seen = set()
    for w in words:
        if not isinstance(w, str) or not w:
            raise RuleError(f"{RULES_DIR / name}.yaml: {key}: {w!r} is not a non-empty string")
        if w in seen:
            raise RuleError(f"{RULES_DIR / name}.yaml: {key}: duplicate word {w!r}")
        seen.add(w)
    return tuple(words)


@dataclass(frozen=True, slots=True)
class Unit:
    """One row of the unit table."""

    name: str
    dim: str
    canonical: str
    factor: float
    kind: str
    aliases: tuple[str, ...] = ()
    scan: bool = True
    needs: tuple[str, ...] = ()  # the unit counts only when one of these words is in the clause
    written: str | None = None   # the official form claims report (方 → 立方米)
    digits_only: bool = False    # only after Arabic digits or a magnitude (八方 is an idiom)

    @property
    def output(self) -> str:
        """The unit as a claim reports it."""
        return self.written or self.name


@cache
def units() -> dict[str, Unit]:
    """Unit name → Unit, validated: unique names and aliases, known kinds, positive factors."""
    from .claim import KINDS

    rows = require(load("units"), "units", list, "units")
    table: dict[str, Unit] = {}
    spellings: dict[str, str] = {}
    for row in rows:
        try:
            unit = Unit(name=row["name"], dim=row["dim"], canonical=row["canonical"],
                        factor=float(row["factor"]), kind=row["kind"],
                        aliases=tuple(row.get("aliases", ())), scan=bool(row.get("scan", True)),
                        needs=tuple(row.get("needs", ())), written=row.get("written"),
                        digits_only=bool(row.get("digits_only", False)))
        except (KeyError, TypeError, ValueError) as err:
            raise RuleError(f"{RULES_DIR}/units.yaml: bad unit row {row!r}: {err}") from None
        if unit.kind not in KINDS:
            raise RuleError(f"{RULES_DIR}/units.yaml: unit {unit.name!r} has unknown kind {unit.kind!r}")
        if unit.factor <= 0:
            raise RuleError(f"{RULES_DIR}/units.yaml: unit {unit.name!r} has a factor <= 0")
        for spelling in (unit.name, *unit.aliases):
            if spelling in spellings:
                raise RuleError(f"{RULES_DIR}/units.yaml: {spelling!r} is spelled by both "
                                f"{spellings[spelling]!r} and {unit.name!r}")
            spellings[spelling] = unit.name
        table[unit.name] = unit
    return table


@cache
def unit_spellings() -> dict[str, str]:
    """Every written form of a scannable unit → the unit's name."""
    out = {}
    for unit in units().values():
        if unit.scan:
            for spelling in (unit.name, *unit.aliases):
                out[spelling] = unit.name
    return out


@cache
def unit(name: str) -> Unit:
    """The unit called `name`, including rates written with a slash (公斤/亩, 元/吨)."""
    table = units()
    if name in table:
        return table[name]
    base, sep, per = name.partition("/")
    if not sep or base not in table or per not in table:
        raise KeyError(name)
    b, p = table[base], table[per]
    return Unit(name=f"{b.output}/{p.output}", dim=f"{b.dim}/{p.dim}", canonical=f"{b.canonical}/{p.canonical}",
                factor=b.factor / p.factor, kind="level")


def rows_by_word(data: dict, key: str, name: str) -> dict[str, dict]:
    """Rows `{word: …, …}` of a rule list keyed by word; repeated words and bad approx refused."""
    from .claim import APPROX

    out: dict[str, dict] = {}
    for row in require(data, key, list, name):
        word = row.get("word") if isinstance(row, dict) else None
        if not isinstance(word, str) or not word:
            raise RuleError(f"{RULES_DIR / name}.yaml: {key}: row {row!r} has no word")
        if word in out:
            raise RuleError(f"{RULES_DIR / name}.yaml: {key}: duplicate word {word!r}")
        if "approx" in row and row["approx"] not in APPROX:
            raise RuleError(f"{RULES_DIR / name}.yaml: {key}: {word!r} has unknown approx {row['approx']!r}")
        out[word] = row
    return out
