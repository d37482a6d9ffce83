"""data/queries.py on the fixture store: filters, search, aggregates, parameter safety."""
from __future__ import annotations

import pytest

from data import queries, store
from data.queries import Filters
from tests.conftest import DOCS

ALL = [c for d in DOCS for c in d["claims"]]


@pytest.fixture(scope="module")
def con(atlas_store):
    c = store.connect(atlas_store)
    yield c
    c.close()


def count(con, **kw) -> int:
    return queries.count_claims(con, Filters(**kw))


def test_no_filter_counts_everything(con):
    assert count(con) == len(ALL)
    assert queries.headline(con, Filters()) == {"documents": len(DOCS), "claims": len(ALL), "places": 7,
                                                "provinces": 3}


def test_place_filter_takes_everything_below_the_area(con):
    assert count(con, adcode="330000") == sum(c[-1].startswith("浙江省") for c in ALL)
    assert count(con, adcode="330100") == sum(c[-1].startswith("浙江省杭州市") for c in ALL)
    assert count(con, adcode="330106") == 1
    with pytest.raises(ValueError, match="six digits"):
        count(con, adcode="33")


def test_search_words_all_match_and_latin_ignores_case(con):
    assert count(con, search="cpi") == count(con, search="CPI") == 1
    assert count(con, search="生产总值 上海") == 3  # 5.0%, 4.8% and 4.6% (its sentence names both)
    assert count(con, search="生产总值 不存在的词") == 0


@pytest.mark.parametrize("text", ["%%", "__", "' OR 1=1 --", "\\"])
def test_user_text_is_data_not_sql(con, text):
    assert count(con, search=text) == 0
    assert count(con, indicator=text) == 0
    assert count(con, source=text) == 0


def test_periods_kinds_sectors_and_dates(con):
    assert count(con, period_from=2024) == sum(c[6] == "2024" for c in ALL)
    assert count(con, kinds=("pct_change",), sectors=("macro",)) == \
        sum(c[3] == "pct_change" and c[5] == "macro" for c in ALL)
    from datetime import date
    assert count(con, published_from=date(2025, 1, 1)) == sum(len(d["claims"]) for d in DOCS
                                                               if d["published"].year == 2025)


def test_region_stats_latest_value_and_markers(con):
    stats = queries.region_stats(con, Filters(), 2, "地区生产总值").set_index("prefix")
    # 上海: two 2024 values; the later publication (上海统计快报, 4.8) is the latest
    assert stats.loc["31", "latest_value"] == 4.8 and stats.loc["31", "claims"] == 2
    marks = queries.markers(con, Filters(adcode="440000"))
    assert set(marks["adcode"]) == {"440000", "440300"}


def test_timeline_flags_conflicts(con):
    rows = queries.timeline(con, Filters(), "地区生产总值", ("上海市",))
    assert sorted(rows["value"]) == [4.8, 5.0] and set(rows["conflict"]) == {2}


def test_claim_detail_passage_holds_the_quote(con):
    cid = int(queries.claims(con, Filters(search="9.11万亿元"))["claim_id"].iloc[0])
    d = queries.claim_detail(con, cid, context=5)
    start = d["start"] - d["passage_start"]
    assert d["passage"][start:start + len(d["quote"])] == "9.11万亿元"
    assert len(d["passage"]) <= 5 + len("9.11万亿元") + 5
