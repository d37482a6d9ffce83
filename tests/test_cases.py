"""Table-driven extractor cases: every line of tests/cases/*.jsonl is one test (format in tests/cases/README.md)."""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

import pytest

CASES_DIR = Path(__file__).resolve().parent / "cases"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles.jsonl"

# The annotation vocabulary is pinned here rather than taken from indicators/, so that a case
# cannot silently agree with a wrong extractor table.
KINDS = {"level", "count", "pct_change", "pp_change", "abs_change", "multiple", "share", "rank", "target"}
DIRECTIONS = {None, "up", "down"}
APPROX = {"exact", "about", "more_than", "less_than"}
SECTORS = {"macro", "agriculture", "industry", "energy", "construction", "real_estate", "investment", "trade",
           "consumption", "finance", "fiscal", "technology", "transport", "services", "employment",
           "population", "environment", "government", "other"}
UNITS = {
    "元", "美元", "欧元", "港元", "日元", "英镑",
    "斤", "公斤", "吨", "克", "立方米", "升", "亩", "公顷", "平方米", "平方公里", "公里", "千米", "米",
    "千瓦", "千瓦时", "度", "标箱", "TEU",
    "个", "家", "项", "人", "名", "位", "户", "座", "台", "辆", "套", "批", "次", "条", "人次", "列", "份",
    "支", "所", "件", "个月", "天", "株", "席", "棵", "口", "间", "艘", "架", "部", "种", "张", "只", "头", "场", "篇", "栋", "处", "宗", "块",
    "%", "个百分点", "倍", "年", "小时", "公斤/亩", "斤/亩",
}
CASE_KEYS = {"id", "text", "corpus", "start", "end", "published", "expect", "xfail", "note"}
CLAIM_KEYS = {"at", "quote", "occurrence", "value", "value_high", "unit", "kind", "direction", "approx",
              "period", "indicator", "sector"}
CHECKED = ("value_high", "unit", "kind", "direction", "approx", "period", "sector")
DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
PERIOD_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?")
REL_TOL = 1e-6


class CaseError(ValueError):
    """A malformed case line; the message names the file and line."""


@lru_cache(maxsize=1)
def corpus() -> dict[str, dict] | None:
    """The shared corpus by article id, or None when the folder beside the checkout is absent."""
    if not CORPUS.is_file():
        return None
    rows = {}
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


def _fail(where: str, problem: str) -> None:
    raise CaseError(f"{where}: {problem}")


def _check_claim(where: str, claim: object, text: str | None, is_corpus: bool) -> dict:
    if not isinstance(claim, dict):
        _fail(where, "an expected claim must be a JSON object")
    unknown = set(claim) - CLAIM_KEYS
    if unknown:
        _fail(where, f"unknown claim fields {sorted(unknown)}")
    for key in ("value", "unit", "kind"):
        if key not in claim:
            _fail(where, f"expected claim lacks required field {key!r}")
    if isinstance(claim["value"], bool) or not isinstance(claim["value"], (int, float)) \
            or not math.isfinite(claim["value"]):
        _fail(where, f"value must be a finite number, got {claim['value']!r}")
    if "value_high" in claim and (not isinstance(claim["value_high"], (int, float))
                                  or claim["value_high"] < claim["value"]):
        _fail(where, f"value_high {claim['value_high']!r} must be a number not below value")
    if claim["unit"] not in UNITS:
        _fail(where, f"unknown unit {claim['unit']!r} (add it to UNITS in tests/test_cases.py if real)")
    if claim["kind"] not in KINDS:
        _fail(where, f"unknown kind {claim['kind']!r}")
    if "direction" in claim and claim["direction"] not in DIRECTIONS:
        _fail(where, f"unknown direction {claim['direction']!r}")
    if "approx" in claim and claim["approx"] not in APPROX:
        _fail(where, f"unknown approx {claim['approx']!r}")
    if "sector" in claim and claim["sector"] not in SECTORS:
        _fail(where, f"unknown sector {claim['sector']!r}")
    if claim.get("period") is not None and not PERIOD_RE.fullmatch(claim["period"]):
        _fail(where, f"period {claim['period']!r} is not ISO (2026, 2026-03, 2026-01/2026-09, 2026/2030)")
    if "indicator" in claim and not (isinstance(claim["indicator"], str) and claim["indicator"]):
        _fail(where, "indicator must be a non-empty string")
    if is_corpus and "quote" in claim:
        _fail(where, "corpus cases give offsets ('at'), never the quote text")
    if ("at" in claim) == ("quote" in claim):
        _fail(where, "an expected claim needs exactly one of 'at' or 'quote'")
    if "occurrence" in claim and "quote" not in claim:
        _fail(where, "'occurrence' only goes with 'quote'")
    if text is None:  # corpus text absent: offsets are checked when it is present
        return claim
    if "at" in claim:
        at = claim["at"]
        if not (isinstance(at, list) and len(at) == 2 and all(isinstance(i, int) for i in at)
                and 0 <= at[0] < at[1] <= len(text)):
            _fail(where, f"'at' {at!r} is not [start, end] inside the {len(text)}-character text")
        return claim
    occurrence = claim.get("occurrence", 1)
    pos = -1
    for _ in range(occurrence):
        pos = text.find(claim["quote"], pos + 1)
        if pos < 0:
            _fail(where, f"quote {claim['quote']!r} (occurrence {occurrence}) is not in the text")
    return {**claim, "at": [pos, pos + len(claim["quote"])]}


def _check_case(where: str, case: object) -> dict:
    """Validate one case line and resolve its text and spans; raises CaseError naming the line."""
    if not isinstance(case, dict):
        _fail(where, "a case must be a JSON object")
    unknown = set(case) - CASE_KEYS
    if unknown:
        _fail(where, f"unknown case fields {sorted(unknown)}")
    if not isinstance(case.get("id"), str) or not case["id"]:
        _fail(where, "case lacks a string 'id'")
    if not isinstance(case.get("expect"), list):
        _fail(where, "case lacks an 'expect' list")
    if "published" not in case:
        _fail(where, "case lacks 'published' (a date or null)")
    if case["published"] is not None and not DATE_RE.fullmatch(str(case["published"])):
        _fail(where, f"published {case['published']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if "xfail" in case and not (isinstance(case["xfail"], str) and case["xfail"].strip()):
        _fail(where, "xfail must give a reason")
    is_corpus = "corpus" in case
    text = None
    if is_corpus:
        if "text" in case:
            _fail(where, "a corpus case names its article and offsets; it must not carry 'text'")
        if not re.fullmatch(r"c\d{4}", str(case["corpus"])):
            _fail(where, f"corpus id {case['corpus']!r} is not like c0001")
        start, end = case.get("start"), case.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            _fail(where, "corpus case needs integer start < end")
        rows = corpus()
        if rows is not None:
            row = rows.get(case["corpus"])
            if row is None:
                _fail(where, f"corpus article {case['corpus']!r} does not exist")
            if end > len(row["text"]):
                _fail(where, f"end {end} is past the article's {len(row['text'])} characters")
            if case["published"] != row["published"]:
                _fail(where, f"published {case['published']!r} differs from the corpus row's {row['published']!r}")
            text = row["text"][start:end]
    else:
        if not isinstance(case.get("text"), str) or not case["text"]:
            _fail(where, "a written case needs a non-empty 'text'")
        if {"start", "end"} & set(case):
            _fail(where, "start/end belong to corpus cases only")
        text = case["text"]
    expect = [_check_claim(f"{where} claim {i + 1}", c, text, is_corpus) for i, c in enumerate(case["expect"])]
    return {**case, "expect": expect, "_text": text}


def load_cases() -> tuple[list, list[str]]:
    """Every valid case of tests/cases/*.jsonl as a pytest param, and one message per bad line."""
    params, errors, seen = [], [], {}
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        if path.name.startswith("geo_"):
            continue  # place-linking cases, read by tests/test_geo_link.py in their own format
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path.relative_to(CASES_DIR.parent.parent)}:{lineno}"
                try:
                    try:
                        raw = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise CaseError(f"{where}: not JSON ({exc})") from None
                    case = _check_case(where, raw)
                    if case["id"] in seen:
                        _fail(where, f"duplicate id {case['id']!r} (first at {seen[case['id']]})")
                except CaseError as exc:
                    errors.append(str(exc))
                    continue
                seen[case["id"]] = where
                marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
                params.append(pytest.param(case, where, id=case["id"], marks=marks))
    return params, errors


CASES, CASE_ERRORS = load_cases()


def test_case_files_valid():
    """Every line of every case file is well-formed; a bad line is named with its file and line number."""
    assert not CASE_ERRORS, "malformed cases:\n  " + "\n  ".join(CASE_ERRORS)


def test_cases_exist():
    """The case files are present and numerous enough to mean something."""
    assert len(CASES) >= 300, f"only {len(CASES)} valid cases in {CASES_DIR}"


_GOOD = {"id": "x", "text": "全年增长5%。", "published": None,
         "expect": [{"quote": "5%", "value": 5, "unit": "%", "kind": "pct_change"}]}


@pytest.mark.parametrize(("change", "problem"), [
    ({"colour": "red"}, "unknown case fields"),
    ({"published": "2024/03"}, "published"),
    ({"expect": [{"quote": "5%", "value": 5, "unit": "%", "kind": "growth"}]}, "unknown kind"),
    ({"expect": [{"quote": "5%", "value": 5, "unit": "percent", "kind": "share"}]}, "unknown unit"),
    ({"expect": [{"quote": "5%", "value": 5, "unit": "%", "kind": "share", "approx": "roughly"}]}, "unknown approx"),
    ({"expect": [{"quote": "6%", "value": 6, "unit": "%", "kind": "share"}]}, "not in the text"),
    ({"expect": [{"at": [3, 99], "value": 5, "unit": "%", "kind": "share"}]}, "inside the"),
    ({"expect": [{"quote": "5%", "value": 5, "unit": "%", "kind": "share", "period": "2024Q1"}]}, "not ISO"),
    ({"expect": [{"quote": "5%", "unit": "%", "kind": "share"}]}, "required field 'value'"),
    ({"corpus": "c0001", "start": 0, "end": 5}, "must not carry 'text'"),
])
def test_validator_rejects_bad_cases(change, problem):
    """The case checker refuses malformed lines with a message naming the line and the problem."""
    with pytest.raises(CaseError, match=re.escape(problem)) as info:
        _check_case("cases/x.jsonl:7", {**_GOOD, **change})
    assert str(info.value).startswith("cases/x.jsonl:7")


def test_validator_resolves_quotes():
    """A written case's quote becomes the span of its n-th occurrence."""
    case = _check_case("w:1", {**_GOOD, "text": "增长5%,其中5%来自出口。",
                               "expect": [{"quote": "5%", "occurrence": 2, "value": 5, "unit": "%", "kind": "share"}]})
    assert case["expect"][0]["at"] == [7, 9]


def _describe(c) -> str:
    return (f"{c.quote!r}@{c.start}-{c.end} value={c.value} unit={c.unit} kind={c.kind} dir={c.direction} "
            f"approx={c.approx} period={c.period} indicator={c.indicator}")


def _overlap(a: list[int], start: int, end: int) -> bool:
    return a[0] < end and start < a[1]


def _same_value(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def _mismatches(exp: dict, got) -> list[str]:
    bad = [f"{key}: expected {exp[key]!r}, got {getattr(got, key)!r}"
           for key in CHECKED if key in exp and getattr(got, key) != exp[key]]
    if "indicator" in exp:
        ind = got.indicator or ""
        if not ind or (exp["indicator"] not in ind and ind not in exp["indicator"]):
            bad.append(f"indicator: expected {exp['indicator']!r} (either contains the other), got {got.indicator!r}")
    return bad


@pytest.mark.parametrize(("case", "where"), CASES)
def test_case(case: dict, where: str):
    """The extractor finds exactly the expected claims in the case's text, with the listed fields."""
    import indicators

    text = case["_text"]
    if text is None:
        pytest.skip(f"shared corpus not found at {CORPUS}; corpus cases need the `shared` folder beside the checkout")
    claims = indicators.extract(text, published=case["published"], doc=case["id"])
    problems = []
    for c in claims:
        if text[c.start:c.end] != c.quote:
            problems.append(f"quote {c.quote!r} is not text[{c.start}:{c.end}] = {text[c.start:c.end]!r}")
    used: set[int] = set()
    for n, exp in enumerate(case["expect"], 1):
        a = exp["at"]
        label = f"expected #{n} {text[a[0]:a[1]]!r} value={exp['value']}"
        cands = [i for i, c in enumerate(claims)
                 if i not in used and _overlap(a, c.start, c.end) and _same_value(c.value, exp["value"])]
        if not cands:
            near = [_describe(c) for c in claims if _overlap(a, c.start, c.end)]
            problems.append(f"{label}: not found" + (f" (overlapping: {near})" if near else ""))
            continue
        # Prefer a candidate that also gets the fields right, so one bad duplicate cannot hide a good match.
        best = min(cands, key=lambda i: len(_mismatches(exp, claims[i])))
        used.add(best)
        problems += [f"{label}: {m}" for m in _mismatches(exp, claims[best])]
    for i, c in enumerate(claims):
        if i not in used and not any(_overlap(e["at"], c.start, c.end) for e in case["expect"]):
            problems.append(f"unexpected claim {_describe(c)}")
    assert not problems, f"{where} [{case['id']}] in {text!r}:\n  " + "\n  ".join(problems)
