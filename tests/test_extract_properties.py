"""Property tests of `indicators.extract`: it never raises, its claims always point at their quote,
values parse, numerals round-trip, offsets survive normalisation, and threads change nothing.

tests/cases/crashers.txt holds inputs that once crashed or nearly did (format in its header).
"""
from __future__ import annotations

import importlib
import math
import pkgutil
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import indicators
from indicators import extract, numerals, rules
from indicators.claim import APPROX, DIRECTIONS, KINDS, SECTORS

CRASHERS = Path(__file__).resolve().parent / "cases" / "crashers.txt"
PUBLISHED = "2025-07-15"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that steer random text towards the extractor's hard cases.
TOKENS = [
    "0", "1", "12", "3.5", "1,640", "１２３", "４５６．７", "，", "．", "%", "％", "‰", "个百分点", "倍",
    "〇", "零", "一", "二", "两", "三", "十", "百", "千", "万", "亿", "兆", "億", "萬", "点",
    "第", "届", "批", "分之", "成", "半", "余", "多", "约", "近", "超过", "左右", "以上", "不到", "数", "几",
    "至", "到", "-", "—", "～", "~", "(", ")", "（", "）", "[", "]", "【", "】", "“", "”",
    "(chǎn)", "(yì)", "資產", "總額", "&amp;", "&#x4e07;", "&#20159;", "&nbsp;", "&lt;", "&#;",
    "\r\n", "\r", "\n", "\t", " ", "\u3000", "元", "斤", "亩", "吨", "家", "人", "千瓦", "千瓦时", "方",
    "年", "月", "日", "今年", "去年", "上半年", "1—9月", "前三季度", "十五五", "增长", "下降", "同比",
    "占", "比重", "目标", "力争", "排名", "位居", "连续", "连丰", "上海电气(4.990, 0.03, 0.60%)",
    "黑龙江", "粮食总产", "固定资产投资", "进出口总额", "。", "；", "：",
]
noisy_text = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=40).map("".join)
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


def check_invariants(text: str, claims) -> None:
    """What every claim of every text must satisfy."""
    assert isinstance(claims, list)
    last_start = -1
    for c in claims:
        assert 0 <= c.start < c.end <= len(text), c
        assert text[c.start:c.end] == c.quote, c
        assert c.occurrence >= 1
        assert c.occurrence == text[:c.start].count(c.quote) + 1, c
        assert c.kind in KINDS, c
        assert c.approx in APPROX, c
        assert c.direction is None or c.direction in DIRECTIONS, c
        assert c.sector is None or c.sector in SECTORS, c
        for number in (c.value, c.value_high, c.value_canonical):
            assert number is None or math.isfinite(number), c
        assert c.unit, c
        assert c.start >= last_start, "claims come in document order"
        last_start = c.start


@SETTINGS
@given(any_text)
@example("")
@example("\r\n\r\n")
@example("亿")
def test_never_raises_on_any_text(text):
    check_invariants(text, extract(text))


@SETTINGS
@given(noisy_text, st.sampled_from([None, PUBLISHED, "2024", "2026-01"]))
@example("1640亿斤，增长3.5%，占比12.3%，第十届", PUBLISHED)
@example("資(zī)產(chǎn)總額１２３，４５６．７億元", None)
def test_never_raises_on_noisy_text(text, published):
    check_invariants(text, extract(text, published=published, doc="d"))


def test_value_stays_finite_for_long_digit_runs_below_overflow():
    # 300 digits stay within float range: the value must be finite and the quote exact.
    text = "全市投资" + "1" * 300 + "元。"
    check_invariants(text, extract(text))


def test_value_finite_for_overflowing_digit_runs():
    for text in ("全市投资" + "1" * 400 + "亿元。", "9" * 400 + "%"):
        check_invariants(text, extract(text))


# ---------------------------------------------------------------------------------------------
# Sentences built from parts: the number, magnitude, unit and qualifier must come back.

SUBJECTS = ["黑龙江粮食总产", "全省固定资产投资", "全市进出口总额", "该县发电量", "全区新增企业",
            "我省播种面积", "港口集装箱吞吐量"]
VERBS = ["", "达到", "为", "实现"]
MAGNITUDES = {"": 1.0, "万": 1e4, "亿": 1e8, "万亿": 1e12}
QUALIFIERS = {"": "exact", "约": "about", "超过": "more_than", "近": "less_than", "不到": "less_than"}
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
UNITS = sorted(u.name for u in rules.units().values() if u.scan and not u.needs)
RHETORICAL_GE = set(rules.load("exclusions")["chinese_ge_units"])


@st.composite
def built_sentence(draw):
    """(sentence, number as written, expected value, unit row, expected approx)."""
    unit = rules.unit(draw(st.sampled_from(UNITS)))
    form = draw(st.sampled_from(["arabic", "thousands", "decimal", "full_width", "chinese"]))
    if form == "chinese":
        n = draw(st.integers(1, 9999))
        written, value = numerals.to_chinese(n), float(n)
        mag = draw(st.sampled_from(["", "万", "亿"]))
    else:
        n = draw(st.integers(1, 999_999))
        if form == "decimal":
            written = f"{n / 100:.2f}"
        elif form == "arabic":
            written = str(n)
        else:
            written = f"{n:,}"
            written = written.translate(FULL_WIDTH) if form == "full_width" else written
        value = float(written.translate({0xFF0C: None, ord(","): None, 0xFF0E: "."}).translate(
            {c: str(c - 0xFF10) for c in range(0xFF10, 0xFF1A)}))
        mag = draw(st.sampled_from(list(MAGNITUDES)))
    if unit.digits_only and form == "chinese" and not mag:
        mag = "万"  # 八方 is an idiom: these units follow digits or a magnitude only (by design)
    if form == "chinese" and unit.kind == "count" and not mag and (n < 11 or unit.name in RHETORICAL_GE):
        unit = rules.unit("元")  # 一批, 三个方面: small written counts are articles or rhetoric (by design)
    qualifier = draw(st.sampled_from(list(QUALIFIERS)))
    after = draw(st.sampled_from(["", "左右"])) if not qualifier else ""
    approx = "about" if after else QUALIFIERS[qualifier]
    sentence = (f"{draw(st.sampled_from(SUBJECTS))}{draw(st.sampled_from(VERBS))}"
                f"{qualifier}{written}{mag}{unit.name}{after}。")
    return sentence, written, value * MAGNITUDES[mag], unit, approx


@SETTINGS
@given(built_sentence())
@example(("黑龙江粮食总产1640亿斤。", "1640", 1.64e11, rules.unit("斤"), "exact"))
@example(("全市投资１２３，４５６．７億元。", "１２３，４５６．７", 1.234567e13, rules.unit("元"), "exact"))
@example(("全省粮食总产一千六百四十亿斤。", "一千六百四十", 1.64e11, rules.unit("斤"), "exact"))
def test_built_sentence_value_and_unit(case):
    sentence, written, value, unit, approx = case
    claims = extract(sentence)
    check_invariants(sentence, claims)
    mine = [c for c in claims if written in c.quote]
    assert len(mine) == 1, (sentence, claims)
    c = mine[0]
    assert c.value == pytest.approx(value, rel=1e-9), sentence
    assert c.unit == unit.output, sentence
    assert c.unit_canonical == unit.canonical, sentence
    assert c.value_canonical == pytest.approx(value * unit.factor, rel=1e-9), sentence
    assert c.approx == approx, sentence


def _only(text):
    return [(c.value, c.unit) for c in extract(text)]


@pytest.mark.parametrize("text, value, unit", [
    ("全省发电装机容量达到六千万千瓦。", 6e7, "千瓦"),
    ("全年发电量四千三百亿千瓦时。", 4.3e11, "千瓦时"),
    ("人均口粮三百六十千克。", 360, "千克"),
], ids=["qianwa", "qianwashi", "qianke"])
def test_chinese_numeral_before_qian_unit(text, value, unit):
    assert _only(text) == [(pytest.approx(value), unit)]


def test_chinese_numeral_before_zhaowa():
    assert _only("风电装机一百二十兆瓦。") == [(120, "兆瓦")]


@pytest.mark.parametrize("text, value, unit", [
    ("钻井深度突破1万米。", 1e4, "米"),
    ("全年产量达到500万克。", 5e6, "克"),
    ("新增装机80万瓦。", 8e5, "瓦"),
    ("大桥全长三百五十米。", 350, "米"),
    ("隧道全长二十米。", 20, "米"),
], ids=["wan-mi", "wan-ke", "wan-wa", "cn-mi", "cn-shi-mi"])
def test_magnitude_blocker_too_broad(text, value, unit):
    assert _only(text) == [(pytest.approx(value), unit)]


@pytest.mark.parametrize("text, value, unit", [
    ("全年共查处违法案件三十一起。", 31, "起"),
    ("新增重点项目二十一批。", 21, "批"),
], ids=["yiqi", "yipi"])
def test_chinese_numeral_ending_in_yi_before_classifier(text, value, unit):
    assert _only(text) == [(pytest.approx(value), unit)]


# ---------------------------------------------------------------------------------------------
# Chinese numerals round-trip.

@SETTINGS
@given(st.integers(min_value=0, max_value=10**13 - 1))
@example(0)
@example(10)
@example(100_010)
@example(1_000_000_000_000)
@example(10**13 - 1)
@example(2_0000_0000_0003)
def test_numeral_round_trip(n):
    assert numerals.parse_chinese(numerals.to_chinese(n)) == n


@pytest.mark.parametrize("written, value", [
    ("二十二", 22), ("十万亿", 1e13), ("一万零三百一十三亿", 1.0313e12), ("二〇二六", 2026), ("两千", 2000),
    ("十三点六", 13.6), ("零点五", 0.5),
])
def test_numeral_spellings(written, value):
    assert numerals.parse_chinese(written) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "十x", "点", "三点", "三点十"])
def test_numeral_rejects_non_numerals(bad):
    with pytest.raises(ValueError):
        numerals.parse_chinese(bad)


# ---------------------------------------------------------------------------------------------
# Offsets into the original text survive normalisation (traditional, full width, pinyin, entities).

SENTENCES = [
    "今年上半年，全省固定资产投资增长5.2%，其中工业投资1640亿元。",
    "黑龙江粮食总产1640亿斤，实现二十二连丰。",
    "全市进出口总额9.11万亿元，同比增长9.8%，占全国比重约12.3%。",
    "截至去年底，全区新增高新技术企业420家，发电装机容量达到3500万千瓦。",
    "前三季度，全县地区生产总值达到356.8亿元，比上年增长6.1%，增速回落0.4个百分点。",
    "全省新建高标准农田300万亩，粮食亩产达到450公斤/亩，较上年提高一成。",
]
TO_TRADITIONAL = opencc.OpenCC("s2t")
_TO_FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def _pinyin(text: str, rng: random.Random) -> str:
    # Mirror sites put a toned syllable in brackets after a character: 資產(chǎn).
    out = []
    for ch in text:
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.3:
            out.append(rng.choice(["(chǎn)", "(zī)", "(yì)", "(zhǎng)", "(lǜ)"]))
    return "".join(out)


def _entities(text: str, rng: random.Random) -> str:
    return "".join(f"&#{ord(ch)};" if ch in "万亿，" and rng.random() < 0.7
                   else "&#x4e07;" if ch == "万" else ch for ch in text)


VARIANTS = {
    "traditional": lambda s, rng: TO_TRADITIONAL.convert(s),
    "full_width": lambda s, rng: s.translate(_TO_FULL_WIDTH),
    "pinyin": _pinyin,
    "entities": _entities,
    "crlf": lambda s, rng: s.replace("，", "，\r\n"),
    "all": lambda s, rng: _pinyin(TO_TRADITIONAL.convert(s).translate(_TO_FULL_WIDTH), rng),
}


def _numbers(claims):
    return [(round(c.value, 6), c.value_high, c.unit, c.kind) for c in claims]


@SETTINGS
@given(st.sampled_from(SENTENCES), st.sampled_from(sorted(VARIANTS)), st.randoms(use_true_random=False))
def test_offsets_survive_normalisation(sentence, variant, rng):
    noisy = VARIANTS[variant](sentence, rng)
    claims = extract(noisy, published=PUBLISHED)
    check_invariants(noisy, claims)
    assert claims, noisy
    assert _numbers(claims) == _numbers(extract(sentence, published=PUBLISHED)), noisy


def test_variants_really_differ():
    rng = random.Random(1)
    for name, make in VARIANTS.items():
        assert make(SENTENCES[0], rng) != SENTENCES[0], name


# ---------------------------------------------------------------------------------------------
# Determinism and thread safety.

def _clear_caches() -> None:
    for info in pkgutil.iter_modules(indicators.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"indicators.{info.name}")
        for value in vars(module).values():
            if callable(value) and hasattr(value, "cache_clear") and getattr(value, "__module__", "") == module.__name__:
                value.cache_clear()


def _corpus() -> list[str]:
    rng = random.Random(7)
    texts = list(SENTENCES)
    texts += [make(s, rng) for s in SENTENCES for make in VARIANTS.values()]
    texts += ["\n".join(rng.sample(SENTENCES, 4)) for _ in range(6)]
    return texts


def test_threads_give_the_serial_output():
    texts = _corpus() * 3
    # Cold caches: the threads race to load the rule data and build the patterns.
    _clear_caches()
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda t: extract(t, published=PUBLISHED, doc="x"), texts))
    serial = [extract(t, published=PUBLISHED, doc="x") for t in texts]
    assert threaded == serial
    assert sum(map(len, serial)) > len(texts)


def test_deterministic():
    for text in _corpus():
        assert extract(text, published=PUBLISHED) == extract(text, published=PUBLISHED)


# ---------------------------------------------------------------------------------------------
# Inputs that once crashed or nearly did.

def _crashers() -> list[str]:
    lines = CRASHERS.read_text(encoding="utf-8").split("\n")
    out = []
    for line in lines:
        if not line or line.startswith("# "):
            continue
        # Escapes let one line hold line breaks: \r \n \t and \\ for a backslash.
        out.append(line.replace("\\\\", "\0").replace("\\r", "\r").replace("\\n", "\n")
                   .replace("\\t", "\t").replace("\0", "\\"))
    return out


def test_crashers_file_is_not_empty():
    assert len(_crashers()) >= 15


@pytest.mark.parametrize("text", _crashers(), ids=lambda t: f"line-{_crashers().index(t) + 1}")
def test_crasher(text):
    for published in (None, PUBLISHED):
        check_invariants(text, extract(text, published=published, doc="crasher"))
