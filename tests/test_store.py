"""The DuckDB store: schema and migration, atomic idempotent writes, locking."""
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from data import reviews, store
from indicators.claim import Claim
from indicators.reader import Source

ROOT = Path(__file__).resolve().parents[1]


def _claim(quote="5%", start=0, **kw):
    base = dict(doc="d", quote=quote, start=start, end=start + len(quote), occurrence=1, value=5.0,
                unit="%", kind="pct_change")
    base.update(kw)
    return Claim(**base)


def _source(text="上海市工业增加值增长5%", name="d", **kw):
    return Source(name=name, path=f"/in/{name}.txt", text=text, **kw)


def test_default_path_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "x.duckdb"))
    assert store.default_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("ATLAS_DB")
    assert store.default_path() == ROOT / "data" / "atlas.duckdb"


def test_fresh_store_has_schema_and_version(tmp_path):
    con = store.connect(tmp_path / "a.duckdb")
    assert store.schema_version(con) == store.SCHEMA_VERSION == 4
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"meta", "documents", "claims", "reviews", "claims_reviewed"} <= tables
    # v4: the fact layer's tables come with the store, its signature hash recorded (nothing to re-sign).
    assert {"facts", "fact_members", "doc_groups"} <= tables
    from data import dedupe

    assert con.execute("SELECT value FROM meta WHERE key = 'dedupe_signature'").fetchone() == (dedupe.SIGNATURE_HASH,)
    con.close()


V1 = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
CREATE TABLE documents (doc_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, title VARCHAR, source VARCHAR,
    url VARCHAR, published DATE, ingested_at TIMESTAMP NOT NULL, encoding VARCHAR, text VARCHAR NOT NULL);
CREATE SEQUENCE claim_ids START 1;
CREATE TABLE claims (claim_id BIGINT PRIMARY KEY DEFAULT nextval('claim_ids'),
    doc_id VARCHAR NOT NULL REFERENCES documents (doc_id), extractor_version VARCHAR NOT NULL,
    quote VARCHAR NOT NULL, occurrence INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    value DOUBLE NOT NULL, value_high DOUBLE, unit VARCHAR NOT NULL, value_canonical DOUBLE,
    unit_canonical VARCHAR, kind VARCHAR NOT NULL, direction VARCHAR, approx VARCHAR NOT NULL,
    indicator VARCHAR, sector VARCHAR, period VARCHAR, period_start DATE, place VARCHAR, province VARCHAR,
    adcode VARCHAR, place_level VARCHAR, lat DOUBLE, lon DOUBLE, sentence VARCHAR);
CREATE SEQUENCE review_ids START 1;
CREATE TABLE reviews (review_id BIGINT PRIMARY KEY DEFAULT nextval('review_ids'), claim_id BIGINT NOT NULL,
    status VARCHAR NOT NULL, field VARCHAR, new_value VARCHAR, note VARCHAR, reviewed_at TIMESTAMP NOT NULL);
INSERT INTO documents VALUES ('abc', 'old', NULL, NULL, NULL, NULL, now(), 'utf-8', '旧文本12亿元');
INSERT INTO claims (doc_id, extractor_version, quote, occurrence, start, "end", value, unit, kind, approx)
    VALUES ('abc', '0.0.1', '12亿元', 1, 3, 8, 1.2e9, '元', 'level', 'exact');
"""


def test_version_1_store_is_migrated_keeping_its_rows(tmp_path):
    path = tmp_path / "v1.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute(V1)
    raw.close()
    con = store.connect(path)
    assert store.schema_version(con) == 4
    assert con.execute("SELECT doc_id, extractor_version FROM documents").fetchall() == [("abc", None)]
    assert con.execute("SELECT quote, value, rejected FROM claims_reviewed").fetchall() == [("12亿元", 1.2e9, False)]
    # v3 rebuilt the claims table without its key and foreign key (index upkeep cost as much as the insert).
    assert con.execute("SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'claims' "
                       "AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')").fetchall() == []
    # The migrated store takes new writes with ids after the old ones.
    assert store.write_document(con, _source(), [_claim()])
    assert con.execute("SELECT max(claim_id) FROM claims").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM doc_groups").fetchone()[0] == 1  # v4 made the fact tables
    con.close()


def test_version_3_fact_tables_are_rebuilt_keeping_what_they_hold(tmp_path):
    # v3 copied seven claim columns into fact_members (v4 drops them: readers join the claims) and keyed
    # doc_groups (v4 rebuilds it without the key).
    from data import facts

    path = tmp_path / "v3.duckdb"
    con = store.connect(path)
    store.write_document(con, _source(), [_claim(indicator="工业增加值", period="2024", place="上海市",
                                                 adcode="310000")])
    want = facts.fact_members(con, con.execute("SELECT fact_id FROM facts").fetchone()[0])
    con.execute("ALTER TABLE fact_members RENAME TO members_v4")
    con.execute("CREATE TABLE fact_members AS SELECT m.*, c.value, c.value_high, c.unit, c.direction, c.approx, "
                "c.quote, c.indicator FROM members_v4 m JOIN claims c USING (claim_id)")
    con.execute("DROP TABLE members_v4")
    groups = con.execute("SELECT * FROM doc_groups").fetchall()
    con.execute("DROP TABLE doc_groups")  # v3 keyed doc_groups by doc_id
    con.execute("CREATE TABLE doc_groups (doc_id VARCHAR PRIMARY KEY, group_id VARCHAR NOT NULL, "
                "signature BLOB NOT NULL)")
    con.execute("INSERT INTO doc_groups VALUES (?, ?, ?)", groups[0])
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    con = store.connect(path)
    assert store.schema_version(con) == 4
    assert [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'fact_members' "
                                      "ORDER BY column_index").fetchall()] == list(facts.MEMBER_COLUMNS)
    got = facts.fact_members(con, want.fact_id[0])
    assert got.equals(want) and got.quote[0] == "5%" and got.value[0] == 5.0
    assert con.execute("SELECT * FROM doc_groups").fetchall() == groups
    assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'doc_groups' "
                       "AND constraint_type = 'PRIMARY KEY'").fetchone()[0] == 0
    con.close()


def test_read_only_connect_migrates_an_old_store_first(tmp_path):
    path = tmp_path / "v1.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute(V1)
    raw.close()
    con = store.connect(path, read_only=True)
    assert store.schema_version(con) == 4
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM claims")
    con.close()


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    store.connect(path).close()
    raw = duckdb.connect(str(path))
    raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(store.StoreError, match="version 99 is newer"):
        store.connect(path)


def test_write_is_idempotent_by_normalised_text(tmp_path):
    con = store.connect(tmp_path / "a.duckdb")
    assert store.write_document(con, _source("甲地GDP增长5%"), [_claim(start=6)])
    # Same article with CRLF newlines, outer whitespace and another name: the same document.
    assert not store.write_document(con, _source("\r\n甲地GDP增长5%  ", name="copy"), [_claim(start=6)])
    assert store.count(con, "documents") == 1 and store.count(con, "claims") == 1
    assert store.doc_id("甲地\r\nGDP") == store.doc_id("甲地\nGDP")
    assert store.doc_id("甲地GDP") != store.doc_id("乙地GDP")
    con.close()


def test_batch_write_is_all_or_nothing(tmp_path):
    con = store.connect(tmp_path / "a.duckdb")
    store.write_document(con, _source("先存的文章"), [])
    # A row as extraction workers hand them over (a Claim, compiled by native/, refuses a None value),
    # with no value: it violates NOT NULL, and the whole batch must roll back.
    bad = tuple(None if f == "value" else getattr(_claim(), f) for f in store.CLAIM_FIELDS)
    with pytest.raises(duckdb.Error):
        store.write_documents(con, [(_source("文章一增长5%"), [_claim()]), (_source("文章二增长6%"), [bad])])
    assert store.count(con, "documents") == 1 and store.count(con, "claims") == 0
    assert store.write_documents(con, [(_source("文章一增长5%"), [_claim()])]) == ["new"]
    con.close()


def test_write_stores_fields_and_period_start(tmp_path):
    con = store.connect(tmp_path / "a.duckdb")
    src = _source(published=date(2026, 3, 6), title="标题", url="http://x/1", encoding="gb18030")
    claims = [_claim(period="2017-01/2017-09", place="上海市", province="上海市", sector="industry",
                     direction="up", lat=31.2, lon=121.5), _claim("12亿元", start=3, value=1.2e9, unit="元",
                                                                   kind="level", period="2026")]
    store.write_document(con, src, claims, extractor_version="9.9")
    doc = con.execute("SELECT name, title, url, published, encoding, extractor_version, text FROM documents").fetchone()
    assert doc == ("d", "标题", "http://x/1", date(2026, 3, 6), "gb18030", "9.9", src.text)
    rows = con.execute('SELECT quote, "end", value, period, period_start, place, direction, lat, extractor_version '
                       "FROM claims ORDER BY claim_id").fetchall()
    assert rows == [("5%", 2, 5.0, "2017-01/2017-09", date(2017, 1, 1), "上海市", "up", 31.2, "9.9"),
                    ("12亿元", 7, 1.2e9, "2026", date(2026, 1, 1), None, None, None, "9.9")]
    con.close()


@pytest.mark.parametrize("period, start", [
    ("2026", date(2026, 1, 1)), ("2026-03", date(2026, 3, 1)), ("2026-03-06", date(2026, 3, 6)),
    ("2026/2030", date(2026, 1, 1)), ("2018-09/2018-10", date(2018, 9, 1)), (None, None), ("bad", None)])
def test_period_start(period, start):
    assert store.period_start(period) == start


def test_replace_keeps_ids_of_claims_found_again(tmp_path):
    con = store.connect(tmp_path / "a.duckdb")
    src = _source("甲地GDP增长5%,投资12亿元")
    store.write_document(con, src, [_claim("5%", 6), _claim("12亿元", 11, unit="元", kind="level")],
                         extractor_version="1")
    ids = dict(con.execute("SELECT quote, claim_id FROM claims").fetchall())
    reviews.add_review(con, ids["5%"], "confirmed")
    status = store.write_documents(con, [(src, [_claim("5%", 6, sector="macro"), _claim("GDP", 2, unit="个")])],
                                   extractor_version="2", replace=True)
    assert status == ["replaced"]
    after = dict(con.execute("SELECT quote, claim_id FROM claims").fetchall())
    assert after["5%"] == ids["5%"] and "12亿元" not in after and after["GDP"] not in ids.values()
    assert con.execute("SELECT extractor_version FROM documents").fetchone() == ("2",)
    assert reviews.reviewed_claim(con, ids["5%"])["review_status"] == "confirmed"
    assert reviews.reviewed_claim(con, ids["5%"])["sector"] == "macro"
    con.close()


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from data import store
        con = store.connect({str(path)!r})
        print("locked", flush=True)
        time.sleep({seconds})
        con.close()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_times_out_with_a_clear_message(tmp_path):
    path = tmp_path / "a.duckdb"
    holder = _hold_lock(path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(store.StoreLocked, match=r"locked by process \d+.*gave up after 0.5 s"):
            store.connect(path, lock_timeout=0.5)
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_waits_for_the_lock(tmp_path, capsys):
    path = tmp_path / "a.duckdb"
    holder = _hold_lock(path, 1.0)
    con = store.connect(path, lock_timeout=30)
    assert "waiting up to 30 s" in capsys.readouterr().err
    assert store.write_document(con, _source(), [])
    con.close()
    holder.wait()


def test_read_only_request_in_a_writing_process_shares_the_writer(tmp_path):
    path = tmp_path / "a.duckdb"
    writer = store.connect(path)
    reader = store.connect(path, read_only=True)  # e.g. the dashboard while its uploader writes
    store.write_document(writer, _source(), [_claim()])
    assert store.count(reader, "claims") == 1
    reader.close()
    writer.close()
    reader = store.connect(path, read_only=True)
    with pytest.raises(store.StoreError, match="open read-only in this process"):
        store.connect(path)
    reader.close()
