"""Export of reviewed claims: every format, the filters, reviewed values, the command line."""
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data import export, reviews, store
from indicators.claim import Claim
from indicators.reader import Source

ROOT = Path(__file__).resolve().parents[1]


def _claim(quote, start, value, unit, kind, province, sector, period, **kw):
    return Claim(doc=None, quote=quote, start=start, end=start + len(quote), occurrence=1, value=value, unit=unit,
                 kind=kind, place=province, province=province, sector=sector, period=period, **kw)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "e.duckdb"
    con = store.connect(path)
    a = "上海市工业增加值增长5.2%，投资“12亿元”，记者3名。"
    store.write_document(con, Source(name="sh", path="in/sh.txt", text=a, published=date(2026, 3, 6),
                                     title="上海快讯", url="http://example.invalid/sh"), [
        _claim("5.2%", 10, 5.2, "%", "pct_change", "上海市", "industry", "2026-02", direction="up"),
        _claim("12亿元", 18, 1.2e9, "元", "level", "上海市", "investment", "2026"),
        _claim("3名", 27, 3, "名", "count", "上海市", "other", None)])
    b = "浙江省粮食产量增长1.1%。"
    store.write_document(con, Source(name="zj", path="in/zj.txt", text=b, published=date(2024, 12, 1)), [
        _claim("1.1%", 9, 1.1, "%", "pct_change", "浙江省", "agriculture", "2024")])
    ids = dict(con.execute("SELECT quote, claim_id FROM claims").fetchall())
    reviews.add_review(con, ids["3名"], "rejected", note="journalists are not a claim here")
    reviews.add_review(con, ids["12亿元"], "corrected", "value", "1.3e9")
    reviews.add_review(con, ids["1.1%"], "confirmed")
    con.close()
    return path


def test_default_export_applies_reviews_and_drops_rejected(db):
    df = export.frame(db)
    assert list(df["quote"]) == ["1.1%", "5.2%", "12亿元"]  # by publication date, then position
    row = df.set_index("quote").loc["12亿元"]
    assert row["value"] == 1.3e9 and row["review_status"] == "corrected" and row["corrected_fields"] == "value"
    assert row["title"] == "上海快讯" and row["source"] == "in/sh.txt" and row["doc"] == "sh"
    with_rejected = export.frame(db, include_rejected=True)
    assert bool(with_rejected.set_index("quote").loc["3名", "rejected"]) is True


@pytest.mark.parametrize("kw, quotes", [
    ({"province": "上海市"}, ["5.2%", "12亿元"]),
    ({"province": "浙江"}, ["1.1%"]),
    ({"province": "江"}, []),  # a prefix of the name, not any substring
    ({"sector": "investment"}, ["12亿元"]),
    ({"since": date(2026, 1, 1)}, ["5.2%", "12亿元"]),
    ({"since": date(2026, 2, 1), "sector": "industry"}, ["5.2%"]),
    ({"since": date(2026, 3, 1)}, []),
])
def test_filters(db, kw, quotes):
    assert list(export.frame(db, **kw)["quote"]) == quotes


def test_filters_are_data_not_sql(db):
    assert export.frame(db, province="上海市' OR '1'='1").empty


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_every_format_round_trips(db, tmp_path, fmt):
    out = tmp_path / f"claims.{fmt}"
    assert export.export(out, fmt, db=db) == 3
    if fmt == "csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese as UTF-8
        back = pd.read_csv(out, encoding="utf-8-sig")
    elif fmt == "xlsx":
        back = pd.read_excel(out, sheet_name="claims")
    elif fmt == "parquet":
        back = pd.read_parquet(out)
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert rows[1]["published"] == "2026-03-06" and rows[1]["direction"] == "up"
        assert rows[1]["value_high"] is None and rows[0]["period"] == "2024"
        back = pd.DataFrame(rows)
    assert list(back["quote"]) == ["1.1%", "5.2%", "12亿元"]
    assert list(back["value"]) == [1.1, 5.2, 1.3e9]
    assert list(back["province"]) == ["浙江省", "上海市", "上海市"]


def test_export_command(db, tmp_path):
    out = tmp_path / "sub" / "sh.csv"
    done = subprocess.run([sys.executable, "-m", "indicators", "export", "--format", "csv", "-o", str(out),
                           "--province", "上海市", "--db", str(db)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"2 claims written to {out}" in done.stderr
    assert list(pd.read_csv(out, encoding="utf-8-sig")["quote"]) == ["5.2%", "12亿元"]
    refused = subprocess.run([sys.executable, "-m", "indicators", "export", "--format", "xlsx", "-o", "-",
                              "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "binary format" in refused.stderr
