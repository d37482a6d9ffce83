"""Shared fixtures.  `atlas_store`: a small claims store (invented Chinese articles) for app tests."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Invented short articles.  Each claim: (quote, value, unit, kind, indicator, sector, period, place,
# province, adcode, lat, lon).  Two sources disagree on 上海市 GDP growth in 2024 on purpose.
PLACES = {
    "上海市": ("上海市", "310000", 31.23, 121.47),
    "上海市浦东新区": ("上海市", "310115", 31.22, 121.54),
    "浙江省": ("浙江省", "330000", 30.27, 120.15),
    "浙江省杭州市": ("浙江省", "330100", 30.27, 120.16),
    "浙江省杭州市西湖区": ("浙江省", "330106", 30.26, 120.13),
    "广东省": ("广东省", "440000", 23.13, 113.27),
    "广东省深圳市": ("广东省", "440300", 22.54, 114.06),
    "安徽省": ("安徽省", "340000", 31.86, 117.28),
    "安徽省合肥市": ("安徽省", "340100", 31.82, 117.23),
}
DOCS = [
    dict(name="sh_2024", title="上海经济稳中有进", published=date(2025, 1, 20), url="https://example.org/sh_2024",
         text="2024年上海市地区生产总值增长5.0%。浦东新区规模以上工业产值达到1.2万亿元。全市新增外资研发中心30家。",
         claims=[("5.0%", 5.0, "%", "pct_change", "地区生产总值", "macro", "2024", "上海市"),
                 ("1.2万亿元", 1.2e12, "元", "level", "规模以上工业产值", "industry", "2024", "上海市浦东新区"),
                 ("30家", 30, "家", "count", "外资研发中心", "investment", "2024", "上海市")]),
    dict(name="sh_revised", title="上海统计快报", published=date(2025, 3, 2), url=None,
         text="快报显示，2024年上海市地区生产总值增长4.8%，上海市固定资产投资增长4.6%。",
         claims=[("4.8%", 4.8, "%", "pct_change", "地区生产总值", "macro", "2024", "上海市"),
                 ("4.6%", 4.6, "%", "pct_change", "固定资产投资", "investment", "2024", "上海市")]),
    dict(name="zj_2023", title="浙江数字经济报告", published=date(2024, 2, 8), url="https://example.org/zj",
         text="2023年浙江省数字经济核心产业增加值9867亿元。杭州市地区生产总值增长5.6%。西湖区新增高新技术企业420家。"
              "杭州市CPI上涨0.3%。",
         claims=[("9867亿元", 9.867e11, "元", "level", "数字经济核心产业增加值", "technology", "2023", "浙江省"),
                 ("5.6%", 5.6, "%", "pct_change", "地区生产总值", "macro", "2023", "浙江省杭州市"),
                 ("420家", 420, "家", "count", "高新技术企业", "technology", "2023", "浙江省杭州市西湖区"),
                 ("0.3%", 0.3, "%", "pct_change", "CPI", "macro", "2023", "浙江省杭州市")]),
    dict(name="gd_2024", title="广东外贸<script>alert(1)</script>观察", published=date(2025, 2, 14), url=None,
         text="2024年广东省进出口总额9.11万亿元，增长9.8%。深圳市地区生产总值增长5.8%。",
         claims=[("9.11万亿元", 9.11e12, "元", "level", "进出口总额", "trade", "2024", "广东省"),
                 ("9.8%", 9.8, "%", "pct_change", "进出口总额", "trade", "2024", "广东省"),
                 ("5.8%", 5.8, "%", "pct_change", "地区生产总值", "macro", "2024", "广东省深圳市")]),
]


# The fact layer's fixture (issue 6): a bureau release, its reprint under another title with a stock
# quote injected, and a daily that rounds the grain figure, names it by a synonym (粮食产量) and
# gives 合肥市 GDP growth a different value — one reprint, one agreement within rounding, one conflict.
_BUREAU = "2024年安徽省粮食总产量830.2亿斤，比上年增长0.9%。合肥市地区生产总值增长6.0%，江淮汽车{quote}等龙头企业产值稳步提升。"
_BUREAU_CLAIMS = [("830.2亿斤", 8.302e10, "斤", "level", "粮食总产量", "agriculture", "2024", "安徽省"),
                  ("0.9%", 0.9, "%", "pct_change", "粮食总产量", "agriculture", "2024", "安徽省"),
                  ("6.0%", 6.0, "%", "pct_change", "地区生产总值", "macro", "2024", "安徽省合肥市")]
FACT_DOCS = [
    dict(name="ah_bureau", title="安徽<b>粮食</b>再获丰收", published=date(2025, 1, 22), url="https://example.org/ah",
         text=_BUREAU.format(quote=""), claims=_BUREAU_CLAIMS),
    dict(name="ah_reprint", title="转载：安徽粮食再获丰收", published=date(2025, 1, 23), url=None,
         text=_BUREAU.format(quote="(12.300, 0.15, 1.23%)"), claims=_BUREAU_CLAIMS),
    dict(name="ah_daily", title="安徽日报讯", published=date(2025, 1, 25), url=None,
         text="安徽日报讯 2024年安徽省粮食产量830亿斤。合肥市地区生产总值增长5.8%。",
         claims=[("830亿斤", 8.3e10, "斤", "level", "粮食产量", "agriculture", "2024", "安徽省"),
                 ("5.8%", 5.8, "%", "pct_change", "地区生产总值", "macro", "2024", "安徽省合肥市")]),
]


def fixture_claims(doc: dict) -> list:
    """The Claim records of one fixture document, offsets found in its text."""
    from indicators.claim import Claim

    out, seen = [], {}
    for quote, value, unit, kind, indicator, sector, period, place in doc["claims"]:
        occurrence = seen.get(quote, 0) + 1
        seen[quote] = occurrence
        start = -1
        for _ in range(occurrence):
            start = doc["text"].index(quote, start + 1)
        province, adcode, lat, lon = PLACES[place]
        level = "province" if adcode.endswith("0000") else "city" if adcode.endswith("00") else "county"
        sentence = next(s + "。" for s in doc["text"].split("。") if quote in s)
        out.append(Claim(doc=doc["name"], quote=quote, start=start, end=start + len(quote),
                         occurrence=occurrence, value=float(value), unit=unit, kind=kind,
                         direction="up" if kind == "pct_change" else None, indicator=indicator,
                         sector=sector, period=period, place=place, province=province, adcode=adcode,
                         place_level=level, lat=lat, lon=lon, sentence=sentence))
    return out


def build_store(path: Path, docs: list[dict] | None = None) -> Path:
    """Write the fixture documents (DOCS unless given) and claims into a new store at `path` through data.store."""
    from data import store
    from indicators.reader import Source

    con = store.connect(path)
    try:
        for doc in DOCS if docs is None else docs:
            source = Source(name=doc["name"], path=f"fixture/{doc['name']}.txt", text=doc["text"],
                            published=doc["published"], url=doc["url"], title=doc["title"], encoding="utf-8")
            store.write_document(con, source, fixture_claims(doc))
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def atlas_store(tmp_path_factory):
    """Path of a fixture store shared by the session's read-only tests."""
    return build_store(tmp_path_factory.mktemp("atlas") / "atlas.duckdb")


@pytest.fixture
def atlas_env(atlas_store, monkeypatch):
    """The shared fixture store, with $ATLAS_DB pointing at it for this test (the app reads it)."""
    monkeypatch.setenv("ATLAS_DB", str(atlas_store))
    return atlas_store


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    """A new fixture store for one test that writes (reviews, uploads); $ATLAS_DB points at it."""
    path = build_store(tmp_path / "atlas.duckdb")
    monkeypatch.setenv("ATLAS_DB", str(path))
    return path


@pytest.fixture(scope="session")
def facts_store(tmp_path_factory):
    """Path of a store of FACT_DOCS (the store keeps their fact layer as it writes them)."""
    return build_store(tmp_path_factory.mktemp("facts") / "atlas.duckdb", FACT_DOCS)


@pytest.fixture
def facts_env(facts_store, monkeypatch):
    """The shared fact-layer store, with $ATLAS_DB pointing at it for this test."""
    monkeypatch.setenv("ATLAS_DB", str(facts_store))
    return facts_store


@pytest.fixture(scope="session")
def shared_dir():
    """The shared/ folder beside the checkout, or skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (third-party corpus lives beside the checkout)")
    return SHARED
