"""The dashboard's fact layer on FACT_DOCS (a release, its reprint with a stock quote, a daily that
rounds one figure and disagrees on another): facts view, conflicts filter, URL, map, timeline, fallback."""
from __future__ import annotations

import json

import pytest

from data import queries, store
from data.queries import Filters
from tests.conftest import FACT_DOCS, build_store
from tests.test_app import _deck_spec, frame_with, no_errors, param, plotly_array, start, table_rows

ALL_CLAIMS = sum(len(d["claims"]) for d in FACT_DOCS)


def facts_view(at):
    at.switch_page("views/claims.py").run()
    at.radio(key="cl_view").set_value("facts").run()
    no_errors(at)
    return table_rows(at, "fa_table")


def select(at, key: str, row: int):
    at.session_state[key] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    no_errors(at)


@pytest.fixture
def app(facts_env):
    return start()


def test_facts_view_merges_reprint_rounding_and_synonym(app):
    rows = facts_view(app)
    assert len(rows) == 3  # 8 claims in 3 documents state 3 quantities
    by_values = {v: r for v, r in zip(rows["数值"], rows.to_dict("records"))}
    # the conflict comes first and shows both values side by side
    assert list(rows["数值"])[0] == "5.8 ≠ 6"
    assert by_values["5.8 ≠ 6"]["来源是否一致"] == "⚠ 不一致"
    # 830.2亿斤 (release and reprint) and 830亿斤 as 粮食产量 (daily): one fact, two independent sources
    grain = by_values["83,020,000,000"]
    assert (grain["指标"], grain["独立来源数"], grain["文档数"], grain["陈述数"]) == ("粮食总产量", 2, 3, 3)
    assert grain["来源是否一致"] == "一致"
    # the growth rate only the release (and its reprint) gives: two documents, one source
    assert (by_values["0.9"]["文档数"], by_values["0.9"]["独立来源数"]) == (2, 1)


def test_expanding_a_conflict_shows_each_quote_escaped(app):
    rows = facts_view(app)
    select(app, "fa_table", list(rows["数值"]).index("5.8 ≠ 6"))
    boxes = " ".join(m.value for m in app.markdown if "<mark" in m.value)
    assert boxes.count("<mark") == 3  # release, reprint and daily
    assert ">6.0%</mark>" in boxes and ">5.8%</mark>" in boxes
    assert "12.300" in boxes  # the reprint's own sentence, stock quote and all
    members = frame_with(app, "来源组")
    assert sorted(members["原文"]) == ["5.8%", "6.0%", "6.0%"]
    captions = [c.value for c in app.caption]
    assert not any("<b>" in c for c in captions + [m.value for m in app.markdown])  # titles are text
    assert any("粮食" in c and "\\<b\\>" in c for c in captions)
    assert sum("转载" in c for c in captions) == 2  # release and reprint are one source
    assert any("不取平均" in w.value for w in app.warning)


def test_conflicts_filter_keeps_only_the_conflict_everywhere(app):
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["数值陈述"], metrics["事实"], metrics["来源不一致"]) == (str(ALL_CLAIMS), "3", "1")
    app.toggle(key="f_conf").set_value(True).run()
    no_errors(app)
    assert param(app, "conflicts") == ["1"]
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["数值陈述"], metrics["事实"], metrics["来源不一致"]) == ("3", "1", "1")  # the conflict fact
    rows = facts_view(app)
    assert list(rows["数值"]) == ["5.8 ≠ 6"]
    app.radio(key="cl_view").set_value("claims").run()
    assert sorted(table_rows(app, "cl_table")["原文"]) == ["5.8%", "6.0%", "6.0%"]
    app.toggle(key="f_conf").set_value(False).run()
    assert len(table_rows(app, "cl_table")) == ALL_CLAIMS
    assert param(app, "conflicts") == []


def test_url_round_trips_the_fact_toggles(facts_env):
    at = start({"view": "facts", "conflicts": "1", "mapfacts": "1", "tlfacts": "true"})
    no_errors(at)
    assert at.session_state["cl_view"] == "facts" and at.session_state["f_conf"] is True
    assert at.session_state["map_facts"] is True and at.session_state["tl_facts"] is True
    assert (param(at, "view"), param(at, "conflicts"), param(at, "mapfacts"), param(at, "tlfacts")) == \
        (["facts"], ["1"], ["1"], ["1"])
    at.switch_page("views/claims.py").run()
    assert list(table_rows(at, "fa_table")["数值"]) == ["5.8 ≠ 6"]
    # the toggles survive pages that do not draw them, and a link the app wrote opens the same view
    at.switch_page("views/map.py").run()
    at.switch_page("views/overview.py").run()
    again = start(dict(at.query_params))
    for key in ("cl_view", "f_conf", "map_facts", "tl_facts"):
        assert again.session_state[key] == at.session_state[key], key
    off = start({"view": "nonsense", "conflicts": "0"})
    off.switch_page("views/claims.py").run()
    no_errors(off)
    assert off.session_state["cl_view"] == "claims" and off.session_state["f_conf"] is False
    assert param(off, "view") == [] and param(off, "conflicts") == []


def test_map_shows_facts_and_marks_the_conflict(app):
    app.switch_page("views/map.py").run()
    regions = next(layer for layer in _deck_spec(app)["layers"] if layer["id"] == "regions")
    assert next(f for f in regions["data"] if f["properties"]["adcode"] == "340000")["properties"]["claims"] == 8
    app.toggle(key="map_facts").set_value(True).run()
    no_errors(app)
    spec = _deck_spec(app)
    regions = next(layer for layer in spec["layers"] if layer["id"] == "regions")
    anhui = next(f for f in regions["data"] if f["properties"]["adcode"] == "340000")["properties"]
    assert anhui["claims"] == 3 and "不一致: 1" in anhui["tooltip"]
    markers = {m["adcode"]: m for m in next(layer for layer in spec["layers"] if layer["id"] == "claims")["data"]}
    assert set(markers) == {"340000", "340100"}
    assert markers["340100"]["conflicts"] == 1 and "5.8 ≠ 6" in markers["340100"]["tooltip"]
    assert markers["340100"]["color"] != markers["340000"]["color"]
    assert param(app, "mapfacts") == ["1"]


def test_timeline_facts_keep_conflicting_values_apart(app):
    app.switch_page("views/timeline.py").run()
    assert {"粮食总产量", "粮食产量"} <= {o.split(" (")[0] for o in app.selectbox(key="tl_indicator").options}
    app.toggle(key="tl_facts").set_value(True).run()
    no_errors(app)
    options = [o.split(" (")[0] for o in app.selectbox(key="tl_indicator").options]
    assert "粮食总产量" in options and "粮食产量" not in options  # synonyms are one indicator
    app.selectbox(key="tl_indicator").set_value("地区生产总值").run()
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    ys = sorted(float(y) for trace in chart["data"] for y in plotly_array(trace["y"]))
    assert ys == [5.8, 6.0]  # one point per value, however many sources; not averaged
    conflicts = frame_with(app, "独立来源数")
    assert sorted(conflicts["数值"]) == ["5.8", "6"] and sorted(conflicts["独立来源数"]) == [1, 1]
    app.selectbox(key="tl_indicator").set_value("粮食总产量").run()
    ys = [float(y) for fig in app.get("plotly_chart")
          for trace in json.loads(fig.proto.spec)["data"] for y in plotly_array(trace["y"])]
    assert sorted(ys) == [0.9, 8.302e10]  # three grain claims, one level fact (the most precise value)


def test_store_without_facts_is_built_at_start_and_pages_fall_back_without(tmp_path, monkeypatch):
    path = build_store(tmp_path / "atlas.duckdb", FACT_DOCS)
    monkeypatch.setenv("ATLAS_DB", str(path))
    con = store.connect(path)
    try:
        for table in ("fact_members", "facts", "doc_groups"):  # as a store written before the layer
            con.execute(f"DROP TABLE {table}")
        assert not queries.has_facts(con)
        at = start()  # a writable store gets its fact layer once, at the app's start
        assert queries.count_facts(con, Filters()) == {"facts": 3, "conflicts": 1}
        # a store that lacks the layer (built before it and opened read-only): pages say so, show claims
        con.execute("DROP TABLE fact_members")
        con.execute("DROP TABLE facts")
    finally:
        con.close()
    at.toggle(key="f_conf").set_value(True).run()
    at.switch_page("views/claims.py").run()
    at.radio(key="cl_view").set_value("facts").run()
    no_errors(at)
    assert len(table_rows(at, "cl_table")) == ALL_CLAIMS  # the claims table, unfiltered by conflicts
    assert any("没有事实层" in i.value for i in at.info)
    assert at.toggle(key="f_conf").disabled
    for page, key in (("views/map.py", "map_facts"), ("views/timeline.py", "tl_facts")):
        at.switch_page(page).run()
        no_errors(at)
        assert at.toggle(key=key).disabled


def test_reviews_update_the_facts_view(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(build_store(tmp_path / "atlas.duckdb", FACT_DOCS)))
    at = start()
    at.switch_page("views/claims.py").run()
    rows = table_rows(at, "cl_table")
    select(at, "cl_table", list(rows["原文"]).index("5.8%"))
    at.radio(key="rv_action").set_value("rejected")
    [b for b in at.button if b.label == "保存审核"][0].click().run()
    no_errors(at)
    at.session_state["cl_table"] = {"selection": {"rows": [], "columns": []}}
    rows = facts_view(at)
    assert "5.8 ≠ 6" not in set(rows["数值"]) and "6" in set(rows["数值"])  # rejected: no longer a conflict


def test_fact_queries_follow_the_sidebar_filters(facts_store):
    con = store.connect(facts_store)
    try:
        assert queries.count_facts(con, Filters(adcode="340100")) == {"facts": 1, "conflicts": 1}
        assert queries.count_facts(con, Filters(sectors=("agriculture",))) == {"facts": 2, "conflicts": 0}
        assert queries.count_facts(con, Filters(search="江淮汽车")) == {"facts": 1, "conflicts": 1}
        assert queries.count_facts(con, Filters(source="日报")) == {"facts": 2, "conflicts": 1}
        assert queries.count_claims(con, Filters(conflicts=True)) == 3
        for text in ("' OR 1=1 --", "%%"):
            assert queries.count_facts(con, Filters(search=text, indicator=text))["facts"] == 0
        timeline = queries.fact_timeline(con, Filters(), "地区生产总值")
        assert sorted(timeline["value"]) == [5.8, 6.0] and set(timeline["conflict"]) == {2}
        assert dict(zip(timeline["value"], timeline["sources"])) == {5.8: 1, 6.0: 1}
    finally:
        con.close()


def test_start_up_build_is_skipped_on_stores_too_large_for_it(tmp_path):
    from ui import state

    con = store.connect(build_store(tmp_path / "atlas.duckdb", FACT_DOCS))
    try:
        for table in ("fact_members", "facts", "doc_groups"):
            con.execute(f"DROP TABLE {table}")
        assert state.sync_facts(con, limit=ALL_CLAIMS - 1) is None and not queries.has_facts(con)
        assert state.sync_facts(con, limit=ALL_CLAIMS)["facts"] == 3
        assert state.sync_facts(con) == {"documents": 0, "keys": 0, "facts": 0}  # nothing unseen: no work
    finally:
        con.close()
