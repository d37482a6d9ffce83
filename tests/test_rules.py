"""Integrity of the extractor's rule data (indicators/rules/*.yaml), and refusal of malformed data.

The second half copies the rule folder, breaks one thing in the copy, points
`indicators.rules.RULES_DIR` at it and checks the loader refuses it with a RuleError naming the file.
"""
from __future__ import annotations

import importlib
import pkgutil
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

import indicators
from indicators import exclusions, indicator, kinds, numerals, periods, rules, scan
from indicators.claim import APPROX, KINDS, SECTORS

RULE_FILES = sorted(rules.RULES_DIR.glob("*.yaml"))


def _modules():
    """Every module of the indicators package (their cached loaders hold rule data)."""
    names = [m.name for m in pkgutil.iter_modules(indicators.__path__) if m.name != "__main__"]
    return [importlib.import_module(f"indicators.{name}") for name in names]


def _clear_caches() -> None:
    # Cached loaders keep what they read from RULES_DIR; clear every one so the next call rereads.
    for module in _modules():
        for value in vars(module).values():
            if callable(value) and hasattr(value, "cache_clear") and getattr(value, "__module__", "") == module.__name__:
                value.cache_clear()


# ---------------------------------------------------------------------------------------------
# The shipped rule data is valid.

def test_rule_files_exist():
    names = {p.stem for p in RULE_FILES}
    assert {"units", "sectors", "kinds", "numerals", "periods", "qualifiers", "exclusions", "indicator",
            "shares"} <= names


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_file_loads(path):
    data = rules.load(path.stem)
    assert isinstance(data, dict) and data


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_no_list_in_any_rule_file_repeats_an_entry(path):
    """Any list of words, or of rows keyed by `word`, anywhere in a rule file, is free of repeats."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            words = [x for x in node if isinstance(x, str)]
            words += [x["word"] for x in node if isinstance(x, dict) and "word" in x]
            repeats = sorted({w for w in words if words.count(w) > 1})
            if repeats:
                problems.append(f"{where}: {repeats}")
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(data, path.name)
    assert not problems


def test_unit_table_is_valid():
    table = rules.units()
    assert len(table) >= 40
    spellings = [s for u in table.values() for s in (u.name, *u.aliases)]
    assert len(spellings) == len(set(spellings))
    for name, unit in table.items():
        assert name == unit.name
        assert unit.kind in KINDS, name
        assert unit.factor > 0, name
        assert unit.dim and unit.canonical, name
        if unit.written:
            assert unit.written in table and table[unit.written].dim == unit.dim, name
        assert all(isinstance(w, str) and w for w in unit.needs), name


def test_amount_dimensions_share_one_canonical_unit():
    # Claims in one dimension are compared through value_canonical: two canonicals would split them.
    canon = defaultdict(set)
    for unit in rules.units().values():
        if unit.kind == "level":
            canon[unit.dim].add(unit.canonical)
    assert {dim: c for dim, c in canon.items() if len(c) > 1} == {}


@pytest.mark.parametrize("name, canonical, factor", [
    ("斤", "kg", 0.5), ("吨", "kg", 1000), ("亩", "m2", 666.6667), ("公顷", "m2", 10000),
    ("平方公里", "m2", 1e6), ("千瓦时", "kWh", 1), ("元", "元", 1),
])
def test_unit_factors(name, canonical, factor):
    unit = rules.unit(name)
    assert unit.canonical == canonical
    assert unit.factor == pytest.approx(factor)


def test_rate_units_are_composed():
    rate = rules.unit("公斤/亩")
    assert rate.canonical == "kg/m2"
    assert rate.factor == pytest.approx(1 / 666.6667)
    with pytest.raises(KeyError):
        rules.unit("公斤/不是单位")


def test_unit_references_resolve():
    data = rules.load("units")
    table = rules.units()
    assert data["bare_counters"]["unit"] in table
    assert data["implied_money"]["unit"] in table


def test_implied_money_magnitudes_are_magnitude_words():
    money = rules.load("units")["implied_money"]
    mags = numerals.magnitude_words()
    assert [w for w in money["magnitudes"] + money["with_cue_magnitudes"] if w not in mags] == []


def test_approx_values_are_known():
    q = rules.load("qualifiers")
    for section in ("before", "after", "inner"):
        for row in q[section]:
            assert row["approx"] in APPROX, (section, row)
    for word, row in rules.load("shares")["words"].items():
        assert row["approx"] in APPROX, word
        assert 0 < row["value"] <= 100, word


def test_sector_vocabulary():
    strong, weak = indicator._sectors()
    names = [s for s, _ in strong]
    assert len(names) == len(set(names)) and set(names) <= set(SECTORS)
    words = [w for _, ws in strong + weak for w in ws]
    assert len(words) == len(set(words)), "a sector keyword belongs to two sectors"
    assert all(isinstance(w, str) and w.strip() == w and w for w in words)


def test_module_loaders_build():
    """Each module's word lists load (word_list refuses repeats) and compile."""
    assert scan.pattern().pattern
    assert kinds._cues()[0].pattern
    assert periods._pattern().pattern
    conf = indicator._conf()
    assert conf["right"] and conf["noun_tags"]
    assert exclusions._conf()["stock"].search("上海电气(4.990, 0.03, 0.60%)")
    assert scan._qualifiers()[0]
    from indicators import lists

    assert lists._conf()["markers"].search("同比分别增长")
    rel, parts, plans, months = periods._tables()
    assert rel["去年"] == -1 and parts["上半年"] == (1, 6) and months["上月"] == -1
    assert periods._bracketed_base()[1]["上年"] == -1 and periods._range_words()[0]


def test_domain_words_segment_whole():
    """Each word of words.yaml comes out of the segmenter as one word with its tag."""
    from indicators import wordcut

    words = rules.load("words")["words"]
    assert words
    wrong = {w: wordcut.lcut(w) for w, tag in words.items() if wordcut.lcut(w) != [(w, tag)]}
    assert not wrong, f"{rules.RULES_DIR}/words.yaml: not segmented as one word: {wrong}"


def test_numeral_tables_do_not_overlap():
    digits = numerals.digit_chars()
    assert len(digits) == len(set(digits))
    assert "万" in digits and "亿" in digits and "点" in digits


# ---------------------------------------------------------------------------------------------
# Malformed data is refused, naming the file.

@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    """A writable copy of the rule folder that the loaders read instead of the real one."""
    copy = tmp_path / "rules"
    shutil.copytree(rules.RULES_DIR, copy)
    monkeypatch.setattr(rules, "RULES_DIR", copy)
    _clear_caches()
    yield copy
    monkeypatch.undo()
    _clear_caches()


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _refused(copy: Path, file: str, loader, *words: str) -> str:
    with pytest.raises(rules.RuleError) as err:
        loader()
    message = str(err.value)
    assert str(copy / file) in message, message
    for word in words:
        assert word in message, message
    return message


def test_copy_without_changes_loads(rules_copy):
    assert rules.RULES_DIR == rules_copy
    assert rules.units()["斤"].factor == 0.5
    assert [c.quote for c in indicators.extract("黑龙江粮食总产1640亿斤")] == ["1640亿斤"]


def test_duplicate_key_refused(rules_copy):
    path = rules_copy / "numerals.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\ndecimal_point: 点\n", encoding="utf-8")
    _refused(rules_copy, "numerals.yaml", lambda: rules.load("numerals"), "duplicate key", "decimal_point")
    _refused(rules_copy, "numerals.yaml", numerals._tables, "decimal_point")


def test_duplicate_nested_key_refused(rules_copy):
    path = rules_copy / "shares.yaml"
    text = path.read_text(encoding="utf-8").replace("words:\n", "words:\n  一半: {value: 50, approx: exact}\n", 1)
    path.write_text(text, encoding="utf-8")
    _refused(rules_copy, "shares.yaml", scan.pattern, "一半")


def test_invalid_yaml_refused(rules_copy):
    (rules_copy / "kinds.yaml").write_text("change_up: [增长, 提高\n", encoding="utf-8")
    _refused(rules_copy, "kinds.yaml", kinds._cues, "not valid YAML")


def test_missing_key_refused(rules_copy):
    _edit(rules_copy / "kinds.yaml", lambda d: d.pop("change_down"))
    _refused(rules_copy, "kinds.yaml", kinds._cues, "change_down")


@pytest.mark.parametrize("file, key, loader", [
    ("kinds.yaml", "change_down", kinds._cues),
    ("kinds.yaml", "rank_verbs", scan.pattern),
    ("periods.yaml", "reset_words", periods._pattern),
    ("indicator.yaml", "right_trim", indicator._conf),
    ("exclusions.yaml", "phrases", exclusions._conf),
    ("numerals.yaml", "vague_prefixes", scan.pattern),
    ("shares.yaml", "cheng_not_before", scan.pattern),
])
def test_duplicate_list_word_refused(rules_copy, file, key, loader):
    repeated = {}

    def change(data):
        repeated["word"] = data[key][0]
        data[key].append(data[key][0])

    _edit(rules_copy / file, change)
    _refused(rules_copy, file, loader, key, "duplicate", repeated["word"])


def test_unit_with_unknown_kind_refused(rules_copy):
    _edit(rules_copy / "units.yaml", lambda d: d["units"][8].update(kind="weight"))  # 吨
    _refused(rules_copy, "units.yaml", rules.units, "吨", "weight")


def test_unit_with_zero_factor_refused(rules_copy):
    _edit(rules_copy / "units.yaml", lambda d: d["units"][12].update(factor=0))  # 斤
    _refused(rules_copy, "units.yaml", rules.units, "斤", "factor")


def test_unit_spelled_twice_refused(rules_copy):
    _edit(rules_copy / "units.yaml", lambda d: d["units"][1].setdefault("aliases", []).append("元人民币"))
    _refused(rules_copy, "units.yaml", rules.units, "元人民币")


def test_unit_row_missing_field_refused(rules_copy):
    _edit(rules_copy / "units.yaml", lambda d: d["units"][0].pop("dim"))
    _refused(rules_copy, "units.yaml", rules.units, "dim")


def test_sector_keyword_in_two_sectors_refused(rules_copy):
    def change(data):
        data["sectors"][1]["keywords"].append(data["sectors"][0]["keywords"][0])

    _edit(rules_copy / "sectors.yaml", change)
    first = yaml.safe_load((rules_copy / "sectors.yaml").read_text(encoding="utf-8"))["sectors"][0]
    _refused(rules_copy, "sectors.yaml", indicator._sectors, first["keywords"][0], first["sector"])


def test_unknown_sector_refused(rules_copy):
    _edit(rules_copy / "sectors.yaml", lambda d: d["sectors"][0].update(sector="tourism"))
    _refused(rules_copy, "sectors.yaml", indicator._sectors, "tourism")


def test_numeral_in_two_tables_refused(rules_copy):
    _edit(rules_copy / "numerals.yaml", lambda d: d["small_units"].update({"一": 10}))
    _refused(rules_copy, "numerals.yaml", numerals._tables, "一")


def test_duplicate_qualifier_word_refused(rules_copy):
    _edit(rules_copy / "qualifiers.yaml",
          lambda d: d["before"].append({"word": "约", "approx": "more_than", "in_quote": True}))
    _refused(rules_copy, "qualifiers.yaml", scan._qualifiers, "约")


def test_unknown_qualifier_approx_refused(rules_copy):
    _edit(rules_copy / "qualifiers.yaml", lambda d: d["after"][0].update(approx="roughly"))
    _refused(rules_copy, "qualifiers.yaml", scan._qualifiers, "roughly")


def test_duplicate_period_word_refused(rules_copy):
    _edit(rules_copy / "periods.yaml",
          lambda d: d["relative_years"].append({"word": "去年", "year_offset": 0}))
    _refused(rules_copy, "periods.yaml", periods._tables, "去年")


def test_duplicate_relative_month_refused(rules_copy):
    _edit(rules_copy / "periods.yaml",
          lambda d: d["relative_months"].append({"word": "上月", "month_offset": 0}))
    _refused(rules_copy, "periods.yaml", periods._tables, "上月")


def test_caches_restored_after_copy_tests():
    # Runs after the fixtures above: the real rules are read again, not the broken copies.
    assert rules.RULES_DIR == Path(indicators.__file__).with_name("rules")
    assert [c.value for c in indicators.extract("粮食总产1640亿斤")] == [1.64e11]


def test_character_variant_to_two_characters_refused(rules_copy):
    from indicators import normalize

    _edit(rules_copy / "characters.yaml", lambda d: d["variants"].update({"陜": "陕西"}))
    _refused(rules_copy, "characters.yaml", normalize._table, "陜")
