"""Reviews: validation, the audit trail, and the reviewed view that exports and charts read."""
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from data import reviews, store
from indicators.claim import Claim
from indicators.reader import Source

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def con(tmp_path):
    con = store.connect(tmp_path / "r.duckdb")
    text = "上海市工业增加值增长5%,投资12亿元"
    claims = [Claim(doc="d", quote="5%", start=10, end=12, occurrence=1, value=5.0, unit="%", kind="pct_change",
                    direction="up", place="上海市", province="上海市", period="2026-03", sector="industry"),
              Claim(doc="d", quote="12亿元", start=15, end=20, occurrence=1, value=1.2e9, unit="元", kind="level")]
    store.write_document(con, Source(name="d", path="d.txt", text=text), claims)
    yield con
    con.close()


def _ids(con):
    return dict(con.execute("SELECT quote, claim_id FROM claims").fetchall())


def test_unreviewed_claim_reads_as_extracted(con):
    row = reviews.reviewed_claim(con, _ids(con)["5%"])
    assert (row["value"], row["review_status"], row["rejected"], row["corrected_fields"]) == (5.0, None, False, [])


def test_latest_correction_of_each_field_applies(con):
    cid = _ids(con)["5%"]
    reviews.add_review(con, cid, "corrected", "value", "5.5", note="typo")
    reviews.add_review(con, cid, "corrected", "place", "上海市浦东新区")
    reviews.add_review(con, cid, "corrected", "value", 6)
    reviews.add_review(con, cid, "confirmed")
    row = reviews.reviewed_claim(con, cid)
    assert row["value"] == 6.0 and row["place"] == "上海市浦东新区"
    assert row["review_status"] == "confirmed" and not row["rejected"]
    assert row["corrected_fields"] == ["place", "value"]
    # The extraction itself is untouched, and every action is kept in order.
    assert con.execute("SELECT value, place FROM claims WHERE claim_id = ?", [cid]).fetchone() == (5.0, "上海市")
    history = reviews.review_history(con, cid)
    assert [(h[1], h[2], h[3]) for h in history] == [
        ("corrected", "value", "5.5"), ("corrected", "place", "上海市浦东新区"), ("corrected", "value", "6.0"),
        ("confirmed", None, None)]
    assert history[0][4] == "typo"


def test_correction_to_null_clears_and_period_moves_period_start(con):
    cid = _ids(con)["5%"]
    reviews.add_review(con, cid, "corrected", "direction", "null")
    reviews.add_review(con, cid, "corrected", "period", "2025-01/2025-09")
    row = reviews.reviewed_claim(con, cid)
    assert row["direction"] is None and row["period"] == "2025-01/2025-09"
    assert row["period_start"] == date(2025, 1, 1) == store.period_start("2025-01/2025-09")


def test_rejection_flags_only_that_claim(con):
    ids = _ids(con)
    reviews.add_review(con, ids["12亿元"], "rejected", note="not a claim")
    flags = dict(con.execute("SELECT quote, rejected FROM claims_reviewed").fetchall())
    assert flags == {"5%": False, "12亿元": True}
    reviews.add_review(con, ids["12亿元"], "confirmed")  # a later review overrides the rejection
    assert not reviews.reviewed_claim(con, ids["12亿元"])["rejected"]


@pytest.mark.parametrize("args, message", [
    (("nope",), "status must be one of"),
    (("corrected",), "names the field"),
    (("corrected", "quote", "x"), "'quote' is not editable"),
    (("corrected", "colour", "red"), "'colour' is not a claim field"),
    (("corrected", "value", "abc"), "takes a number"),
    (("corrected", "value", "nan"), "finite number"),
    (("corrected", "value", None), "cannot be empty"),
    (("corrected", "kind", "growth"), "takes one of level"),
    (("corrected", "sector", "food"), "takes one of macro"),
    (("corrected", "period", "2026-13"), "is not ISO"),
    (("corrected", "period", "March"), "is not ISO"),
    (("corrected", "adcode", "31"), "6, 9 or 12 digits"),
    (("corrected", "lat", "95"), "within ±90"),
    (("confirmed", "value", "1"), "takes no field"),
])
def test_bad_reviews_are_refused_and_nothing_is_recorded(con, args, message):
    with pytest.raises(reviews.ReviewError, match=message):
        reviews.add_review(con, _ids(con)["5%"], *args)
    assert store.count(con, "reviews") == 0


def test_review_of_a_missing_claim_is_refused(con):
    with pytest.raises(reviews.ReviewError, match="no claim 999"):
        reviews.add_review(con, 999, "confirmed")


def _cli(db, *args):
    return subprocess.run([sys.executable, "-m", "indicators", "review", *args, "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_review_command_records_and_shows_the_trail(tmp_path):
    db = tmp_path / "r.duckdb"
    con = store.connect(db)
    store.write_document(con, Source(name="d", path="d.txt", text="投资12亿元"),
                         [Claim(doc="d", quote="12亿元", start=2, end=7, occurrence=1, value=1.2e9, unit="元",
                                kind="level")])
    cid = con.execute("SELECT claim_id FROM claims").fetchone()[0]
    con.close()
    done = _cli(db, str(cid), "--set", "unit=美元", "--set", "sector=investment", "--note", "checked")
    assert done.returncode == 0, done.stderr
    assert "corrected unit=美元" in done.stdout and "corrected sector=investment" in done.stdout
    bad = _cli(db, str(cid), "--set", "kind=growth", "--set", "value=3")
    assert bad.returncode == 1 and "takes one of" in bad.stderr
    shown = _cli(db, str(cid))
    assert shown.returncode == 0 and shown.stdout.count("  #") == 2  # the bad pair left no half
    missing = _cli(db, "424242", "--status", "confirmed")
    assert missing.returncode == 1 and "no claim 424242" in missing.stderr
    con = store.connect(db, read_only=True)
    row = reviews.reviewed_claim(con, cid)
    assert (row["unit"], row["sector"], row["review_note"]) == ("美元", "investment", "checked")
    con.close()
