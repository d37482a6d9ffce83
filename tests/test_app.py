"""AppTest runs of the dashboard on the fixture store: pages, filters, URL, map spec, downloads."""
from __future__ import annotations

import base64
import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import DOCS, REPO

PAGES = ["views/overview.py", "views/map.py", "views/timeline.py", "views/claims.py", "views/sources.py",
         "views/export.py"]
ALL_CLAIMS = sum(len(d["claims"]) for d in DOCS)


def start(query: dict | None = None) -> AppTest:
    """The app after its first run (the overview page), optionally opened with URL parameters."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    if query:
        at.query_params.update(query)
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def param(at: AppTest, name: str) -> list[str]:
    """A URL parameter's values after a run (AppTest gives one value as str, several as a list)."""
    value = at.query_params.get(name, [])
    return value if isinstance(value, list) else [value]


def plotly_array(value) -> list:
    """A Plotly JSON array, plain or typed ({"dtype", "bdata"} base64, as Plotly 6+ writes numbers)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def frame_with(at: AppTest, column: str):
    """The one table on the page that has `column` (plain tables carry no key in AppTest)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1, f"{len(frames)} tables with a {column!r} column"
    return frames[0]


def table_rows(at: AppTest, key: str):
    return at.dataframe(key=key).value


@pytest.fixture
def app(atlas_env):
    return start()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(app, page):
    app.switch_page(page).run()
    no_errors(app)
    assert app.title, f"{page} has no title"


def test_overview_headline_counts(app):
    no_errors(app)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["文档"] == str(len(DOCS))
    assert metrics["数值陈述"] == str(ALL_CLAIMS)
    assert metrics["省级地区"] == "3"


def test_province_filter_changes_rows_on_every_page(app):
    app.switch_page("views/claims.py").run()
    assert len(table_rows(app, "cl_table")) == ALL_CLAIMS
    app.session_state["f_prov"] = "330000"
    app.run()
    rows = table_rows(app, "cl_table")
    zhejiang = [c for d in DOCS for c in d["claims"] if c[-1].startswith("浙江省")]
    assert len(rows) == len(zhejiang) == 4
    assert set(rows.iloc[:, list(rows.columns).index("地点")]) == {c[-1] for c in zhejiang}
    # the filter stays when the page changes, and the URL carries it
    app.switch_page("views/overview.py").run()
    assert {m.label: m.value for m in app.metric}["数值陈述"] == "4"
    assert param(app, "prov") == ["330000"]


def test_sidebar_widgets_narrow_claims(app):
    app.multiselect(key="f_sector").set_value(["macro"]).run()
    macro = [c for d in DOCS for c in d["claims"] if c[5] == "macro"]
    assert {m.label: m.value for m in app.metric}["数值陈述"] == str(len(macro))
    app.text_input(key="f_ind").set_value("生产总值").run()
    gdp = [c for c in macro if "生产总值" in c[4]]
    assert {m.label: m.value for m in app.metric}["数值陈述"] == str(len(gdp)) == "4"
    app.multiselect(key="f_sector").set_value([]).run()
    app.text_input(key="f_ind").set_value("进出口").run()
    assert {m.label: m.value for m in app.metric}["数值陈述"] == "2"
    app.text_input(key="f_ind").set_value("").run()
    app.text_input(key="f_q").set_value("研发中心").run()
    assert {m.label: m.value for m in app.metric}["数值陈述"] == "1"


def test_city_options_follow_province(app):
    assert app.selectbox(key="f_city").disabled
    app.selectbox(key="f_prov").set_value("330000").run()
    assert app.selectbox(key="f_city").options == ["全部", "杭州市"]  # only areas with claims
    app.selectbox(key="f_city").set_value("330100").run()
    assert {m.label: m.value for m in app.metric}["数值陈述"] == "3"  # 杭州市 and its 西湖区


def test_municipality_drills_to_districts(app):
    app.selectbox(key="f_prov").set_value("310000").run()
    assert app.selectbox(key="f_city").options == ["全部", "浦东新区"]  # 上海's children are districts
    app.switch_page("views/map.py").run()
    regions = next(layer for layer in _deck_spec(app)["layers"] if layer["id"] == "regions")
    codes = {f["properties"]["adcode"] for f in regions["data"]}
    assert "310115" in codes and all(c.startswith("31") and c != "310000" for c in codes)
    pudong = next(f for f in regions["data"] if f["properties"]["adcode"] == "310115")
    assert pudong["properties"]["claims"] == 1


def test_query_params_round_trip(atlas_env):
    query = {"prov": "310000", "sector": ["macro", "investment"], "kind": "pct_change", "lang": "en",
             "pub": "2025-01-01..2025-12-31"}
    at = start(query)
    no_errors(at)
    assert at.session_state["f_prov"] == "310000"
    assert at.session_state["f_sector"] == ["macro", "investment"]
    assert at.session_state["f_kind"] == ["pct_change"]
    assert at.session_state["lang"] == "en"
    expected = [c for d in DOCS for c in d["claims"] if c[-1].startswith("上海市") and c[5] in ("macro", "investment")
                and c[3] == "pct_change" and d["published"].year == 2025]
    assert {m.label: m.value for m in at.metric}["Claims"] == str(len(expected)) == "3"
    assert param(at, "prov") == ["310000"]
    assert param(at, "sector") == ["macro", "investment"]
    assert param(at, "pub") == ["2025-01-01..2025-12-31"]
    # a second app opened with the URL the first one wrote shows the same view
    again = start(dict(at.query_params))
    assert {m.label: m.value for m in again.metric} == {m.label: m.value for m in at.metric}


def test_bad_url_values_fall_back_to_defaults(atlas_env):
    at = start({"lang": "fr", "prov": "999999", "sector": ["macro", "nonsense"], "pfrom": "abc",
                "pub": "yesterday"})
    no_errors(at)
    assert at.session_state["lang"] == "zh"
    assert at.session_state["f_prov"] is None and at.session_state["f_sector"] == ["macro"]
    assert at.session_state["f_pfrom"] is None
    assert param(at, "prov") == [] and param(at, "sector") == ["macro"]


def test_english_switch(app):
    assert app.title[0].value == "区域经济指标图谱"
    app.button_group(key="lang").set_value("en").run()
    assert app.title[0].value == "Indicator Atlas"
    assert param(app, "lang") == ["en"]


class _KeptMediaManager:
    """Keeps each run's real MediaFileManager so a test can run a deferred download afterwards."""

    def __init__(self, monkeypatch):
        from streamlit.runtime.media_file_manager import MediaFileManager
        from streamlit.testing.v1 import app_test

        self.managers = []
        kept = self.managers

        class Recording(MediaFileManager):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                kept.append(self)

        monkeypatch.setattr(app_test, "MediaFileManager", Recording)

    def _file(self, button):
        mgr = self.managers[-1]
        file_id = button.proto.deferred_file_id
        url = mgr.execute_deferred(file_id) if file_id else button.proto.url
        return mgr._storage.get_file(url.rsplit("/", 1)[-1].split(".", 1)[0])

    def fetch(self, button) -> bytes:
        """The bytes a click on `button` would download."""
        return self._file(button).content

    def file_name(self, button) -> str:
        """The file name the browser would save the download under."""
        return self._file(button).filename


def _deck_spec(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def test_map_is_offline_by_default(app):
    app.switch_page("views/map.py").run()
    no_errors(app)
    spec = _deck_spec(app)
    assert spec.get("mapProvider") is None
    assert not str(spec.get("mapStyle")).startswith("http")  # no basemap style to fetch
    markers = next(layer for layer in spec["layers"] if layer["id"] == "claims")
    assert len(markers["data"]) == len({c[-1] for d in DOCS for c in d["claims"]})
    regions = next(layer for layer in spec["layers"] if layer["id"] == "regions")
    by_code = {f["properties"]["adcode"]: f["properties"] for f in regions["data"]}
    assert len(by_code) >= 31 and by_code["330000"]["claims"] == 4 and by_code["110000"]["claims"] == 0
    assert by_code["330000"]["fill"] != by_code["110000"]["fill"]
    app.toggle(key="map_basemap").set_value(True).run()
    assert _deck_spec(app)["mapProvider"] == "carto"


def test_map_markers_carry_claim_tooltips_and_svg_download(atlas_env, monkeypatch):
    media = _KeptMediaManager(monkeypatch)
    app = start({"prov": "440000"})
    app.switch_page("views/map.py").run()
    markers = next(layer for layer in _deck_spec(app)["layers"] if layer["id"] == "claims")
    assert {m["adcode"] for m in markers["data"]} == {"440000", "440300"}
    shenzhen = next(m for m in markers["data"] if m["adcode"] == "440300")
    assert "地区生产总值" in shenzhen["tooltip"] and "5.8%" in shenzhen["tooltip"]
    button = app.download_button(key="dl_map_svg")
    assert media.file_name(button).startswith("indicator-atlas_map_")
    svg = media.fetch(button).decode("utf-8")
    assert svg.startswith("<svg") and svg.count("<circle") == 2


def test_timeline_shows_conflicting_values(app):
    app.switch_page("views/timeline.py").run()
    app.selectbox(key="tl_indicator").set_value("地区生产总值").run()
    no_errors(app)
    conflicts = frame_with(app, "原文")
    assert sorted(conflicts["数值"]) == [4.8, 5.0]  # both sources' values, not their mean
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    ys = sorted(float(y) for trace in chart["data"] for y in plotly_array(trace["y"]))
    assert 4.8 in ys and 5.0 in ys and 4.9 not in ys
    config = json.loads(app.get("plotly_chart")[0].proto.config)
    assert config["toImageButtonOptions"]["filename"].startswith("indicator-atlas_timeline_地区生产总值")
    assert config["toImageButtonOptions"]["format"] == "png"
    app.button_group(key="img_format").set_value("svg").run()
    config = json.loads(app.get("plotly_chart")[0].proto.config)
    assert config["toImageButtonOptions"]["format"] == "svg"


def test_claim_row_shows_escaped_passage_and_review(fresh_store):
    app = start()
    app.switch_page("views/claims.py").run()
    rows = table_rows(app, "cl_table")
    target = list(rows.iloc[:, 0]).index(next(i for i, q in zip(rows.iloc[:, 0], rows["原文"]) if q == "9.11万亿元"))
    app.session_state["cl_table"] = {"selection": {"rows": [target], "columns": []}}
    app.run()
    no_errors(app)
    html = " ".join(m.value for m in app.markdown)
    assert "<mark" in html and "9.11万亿元</mark>" in html
    assert "alert" in html and "<script>" not in html  # the title is article text: never raw HTML
    app.radio(key="rv_action").set_value("rejected")
    app.text_input(key="rv_note").set_value("测试驳回")
    submit = [b for b in app.button if b.label == "保存审核"][0]
    submit.click().run()
    no_errors(app)
    assert any("已保存" in s.value for s in app.success)
    # a rejected claim leaves the default view
    app.session_state["cl_table"] = {"selection": {"rows": [], "columns": []}}
    app.run()
    assert len(table_rows(app, "cl_table")) == ALL_CLAIMS - 1


def test_export_downloads_carry_the_filtered_claims(atlas_env, monkeypatch):
    media = _KeptMediaManager(monkeypatch)
    app = start({"prov": "440000"})
    app.switch_page("views/export.py").run()
    no_errors(app)
    guangdong = [c for d in DOCS for c in d["claims"] if c[-1].startswith("广东省")]

    csv_button = app.download_button(key="dl_csv")
    assert media.file_name(csv_button).startswith("indicator-atlas_claims_")
    assert media.file_name(csv_button).endswith(".csv")
    data = media.fetch(csv_button)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(r["quote"] for r in rows) == sorted(c[0] for c in guangdong)
    assert {r["title"] for r in rows} == {"广东外贸<script>alert(1)</script>观察"}
    assert all(r["sentence"] for r in rows)

    book = openpyxl.load_workbook(io.BytesIO(media.fetch(app.download_button(key="dl_xlsx"))))
    sheet = list(book.active.values)
    header = list(sheet[0])
    assert {"quote", "title", "url"} <= set(header)
    assert sorted(r[header.index("quote")] for r in sheet[1:]) == sorted(c[0] for c in guangdong)

    pack = media.fetch(app.download_button(key="dl_pack")).decode("utf-8")
    assert pack.startswith("<!DOCTYPE html>") and "plotly" in pack.lower() and "<svg" in pack
    assert "广东外贸&lt;script&gt;alert(1)&lt;/script&gt;观察" in pack and "<script>alert(1)" not in pack
    for claim in guangdong:
        assert claim[0] in pack


def test_upload_ingests_and_reports_bad_files(fresh_store):
    app = start()
    app.switch_page("views/sources.py").run()
    uploader = app.get("file_uploader")[0]
    uploader.upload("新闻.txt", "2025年某市社会消费品零售总额增长6.1%。".encode("gb18030"), "text/plain")
    uploader.upload("empty.txt", b"   ", "text/plain")
    app.run()
    app.button(key="src_ingest").click().run()
    no_errors_but = [e.value for e in app.exception]
    assert not no_errors_but
    last = app.session_state["src_last_upload"]
    assert last["added"] == 1
    assert [name for name, _ in last["errors"]] == ["empty.txt"]
    assert list(frame_with(app, "错误")["文件"]) == ["empty.txt"]
    assert "新闻" in set(frame_with(app, "文件名")["文件名"])


def test_sources_document_shows_all_its_claims_marked(app):
    app.switch_page("views/sources.py").run()
    gd = next(d for d in DOCS if d["name"] == "gd_2024")
    from data.store import doc_id

    app.selectbox(key="src_doc").set_value(doc_id(gd["text"])).run()
    no_errors(app)
    html = " ".join(m.value for m in app.markdown if "<mark" in m.value)
    assert html.count("<mark") == len(gd["claims"])
    for claim in gd["claims"]:
        assert f">{claim[0]}</mark>" in html
    assert "<script>" not in " ".join(m.value for m in app.markdown)
    assert any("alert" in h.value for h in app.subheader)  # the title is shown, as text


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists() and os.environ.get("CI") != "true",
                    reason="server-side chart images need Debian's chromium (scripts/test.sh installs it)")
def test_timeline_server_side_images(atlas_env, monkeypatch):
    media = _KeptMediaManager(monkeypatch)
    app = start()
    app.switch_page("views/timeline.py").run()
    app.selectbox(key="tl_indicator").set_value("地区生产总值").run()
    png_button = app.download_button(key="tl_png_0")
    assert media.file_name(png_button).startswith("indicator-atlas_timeline_地区生产总值")
    assert media.fetch(png_button).startswith(b"\x89PNG\r\n\x1a\n")
    svg = media.fetch(app.download_button(key="tl_svg_0")).decode("utf-8")
    assert "<svg" in svg and "上海市" in svg  # the legend's Chinese text is in the image
