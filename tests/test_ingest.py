"""Ingestion of every input kind and encoding, bad input, idempotence, --force and reextract."""
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from data import ingest as ing
from data import store
from indicators import EXTRACTOR_VERSION, extract
from indicators.reader import Source

ROOT = Path(__file__).resolve().parents[1]
# Texts written for these tests (not third-party): one simplified, one traditional.
SIMP = ("上海市今年前三季度规模以上工业增加值同比增长5.2%，其中集成电路产业表现突出，出口订单持续增加。"
        "市经济信息化委表示，重点产业投资规模扩大，带动相关设备和材料需求上升，预计全年经济增速保持在合理区间。"
        "全市新开工重大项目36个，总投资约1200亿元。")
TRAD = ("臺灣地區今年前三季度工業生產總值較去年同期增長百分之五，其中電子零組件製造業表現最為亮眼，出口訂單持續增加。"
        "經濟部表示，半導體產業投資規模擴大，帶動相關設備與材料需求上升，預計全年經濟成長率將維持在穩定區間。"
        "新竹科學園區新增廠商十二家，營業額達到新臺幣一兆元。")


def variant(i: int, text: str = SIMP) -> str:
    return f"{text}第{i}号通报。"


def docs(db):
    con = store.connect(db, read_only=True)
    try:
        return con.execute("SELECT name, title, published, encoding, text FROM documents ORDER BY name").fetchall()
    finally:
        con.close()


def claim_rows(db):
    con = store.connect(db, read_only=True)
    try:
        return con.execute('SELECT d.name, c.quote, c.start, c."end", c.value, c.unit, c.kind, c.period '
                           "FROM claims c JOIN documents d USING (doc_id) ORDER BY d.name, c.start").fetchall()
    finally:
        con.close()


def expected_claims(*sources) -> int:
    """What the extractor finds in these texts right now: the store must hold exactly that many."""
    return sum(len(extract(text, published=pub, doc=name)) for name, text, pub in sources)


def run(inputs, db, **kw):
    kw.setdefault("progress", False)
    return ing.ingest([str(i) for i in inputs], db=db, **kw)


@pytest.mark.parametrize("encoding, text", [
    ("utf-8", SIMP), ("utf-8-sig", SIMP), ("gb18030", SIMP), ("gbk", SIMP), ("big5", TRAD), ("utf-16", SIMP)],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "big5", "utf-16"])
def test_encodings_are_detected(tmp_path, encoding, text):
    path = tmp_path / "article.txt"
    path.write_bytes((text * 2).encode(encoding))
    db = tmp_path / "s.duckdb"
    summary = run([path], db)
    assert (summary.ingested, summary.failed) == (1, 0), summary.errors
    [(name, _, _, enc, stored)] = docs(db)
    assert stored == text * 2 and name == "article"
    family = {"utf-8-sig": "utf-8-sig", "gbk": "gb18030", "utf-16": "utf-16"}.get(encoding, encoding)
    assert enc.replace("_", "-").lower() == family


def test_text_markdown_and_html_with_sidecar_meta(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(variant(1), encoding="utf-8")
    (folder / "a.meta.json").write_text(json.dumps({"published": "2026-03-06", "title": "甲", "url": "http://x/a"}))
    (folder / "sub" / "b.md").write_text("# 标题\n\n" + variant(2), encoding="utf-8")
    html = (f"<html><head><title>乙页</title><meta charset='gb18030'></head><body><nav>首页 | 新闻</nav>"
            f"<article><h1>乙页</h1><p>{variant(3)}</p><p>{SIMP}</p></article></body></html>")
    (folder / "sub" / "c.html").write_bytes(html.encode("gb18030"))
    (folder / ".hidden.txt").write_text(variant(4), encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 ignored in folders")
    db = tmp_path / "s.duckdb"
    summary = run([folder], db)
    assert (summary.ingested, summary.failed) == (3, 0), summary.errors
    rows = {r[0]: r for r in docs(db)}
    assert set(rows) == {"a", "b", "c"}
    assert rows["a"][1:3] == ("甲", date(2026, 3, 6))
    assert "乙页" in (rows["c"][1] or "") and variant(3) in rows["c"][4] and "首页 | 新闻" not in rows["c"][4]
    assert summary.claims == len(claim_rows(db)) == expected_claims(
        *((n, r[4], r[2]) for n, r in rows.items()))


def test_json_jsonl_and_csv_records(tmp_path):
    (tmp_path / "list.json").write_text(json.dumps([
        {"id": "j1", "text": variant(1), "title": "一", "published": "2026-01"},
        {"text": variant(2), "url": "http://x/2"}], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps({"text": variant(3), "published": "2025"}), encoding="utf-8")
    (tmp_path / "lines.jsonl").write_text("\n".join(json.dumps({"id": f"l{i}", "text": variant(10 + i)})
                                                    for i in range(3)) + "\n\n", encoding="utf-8")
    csv_text = "title,published,text\n" + "\n".join(f'标题{i},2026-02-0{i + 1},"{variant(20 + i)}"' for i in range(2))
    (tmp_path / "rows.csv").write_bytes(csv_text.encode("gb18030"))
    db = tmp_path / "s.duckdb"
    summary = run([tmp_path / n for n in ("list.json", "one.json", "lines.jsonl", "rows.csv")], db)
    assert (summary.ingested, summary.failed) == (8, 0), summary.errors
    rows = {r[0]: r for r in docs(db)}
    assert set(rows) == {"j1", "list-2", "one", "l0", "l1", "l2", "rows-1", "rows-2"}
    assert rows["j1"][1:3] == ("一", date(2026, 1, 1)) and rows["one"][2] == date(2025, 1, 1)
    assert rows["rows-2"][1:4] == ("标题1", date(2026, 2, 2), "gb18030") and rows["rows-2"][4] == variant(21)


def test_zip_archive_with_members_of_every_kind(tmp_path):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("dir/a.txt", variant(1).encode("gb18030"))
        z.writestr("dir/a.meta.json", json.dumps({"published": "2024-06"}))
        z.writestr("b.jsonl", json.dumps({"text": variant(2)}) + "\n{broken\n")
        z.writestr("c.html", f"<html><body><article><p>{variant(3)}</p><p>{SIMP}</p></article></body></html>")
        z.writestr("d.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
        z.writestr("__MACOSX/._a.txt", b"\x00\x01junk")
        inner = tmp_path / "inner.zip"
        with zipfile.ZipFile(inner, "w") as zi:
            zi.writestr("e.md", variant(5))
        z.write(inner, "nested/inner.zip")
    db = tmp_path / "s.duckdb"
    summary = run([archive], db)
    assert (summary.ingested, summary.failed) == (4, 2)
    reasons = dict(summary.errors)
    assert "line is not valid JSON" in reasons[f"{archive}!b.jsonl:2"]
    assert "binary" in reasons[f"{archive}!d.txt"]
    rows = {r[0]: r for r in docs(db)}
    assert set(rows) == {"a", "b-1", "c", "e"} and rows["a"][2:4] == (date(2024, 6, 1), "gb18030")


def test_bad_inputs_are_reported_one_by_one_and_nothing_stored_is_lost(tmp_path):
    db = tmp_path / "s.duckdb"
    (tmp_path / "keep.txt").write_text(variant(0), encoding="utf-8")
    assert run([tmp_path / "keep.txt"], db).ingested == 1
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 50)
    (bad / "empty.txt").write_bytes(b"")
    noise = bytes((i * 131 + 7) % 128 + 128 for i in range(3000))  # high bytes in no text encoding
    (bad / "undecodable.txt").write_bytes(noise)
    (bad / "blank.md").write_bytes(b"  \n\n ")
    with open(bad / "huge.txt", "wb") as fh:  # sparse: over the limit without writing 20 MB
        fh.truncate(21 * 1024 * 1024)
    (bad / "nomain.html").write_text("<html><head><script>var x = 1;</script></head><body></body></html>")
    (bad / "lines.jsonl").write_text('{"text": "%s"}\nnot json\n{"title": "no text"}\n[1, 2]\n' % variant(1))
    (bad / "broken.json").write_text('{"text": "unterminated')
    (bad / "notext.csv").write_text("title,body\n甲,乙\n", encoding="utf-8")
    (bad / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (bad / "bad-date.json").write_text(json.dumps({"text": variant(2), "published": "next week"}))
    explicit = tmp_path / "report.pdf"
    explicit.write_bytes(b"%PDF-1.4")
    summary = run([bad, explicit, tmp_path / "missing.txt"], db)
    reasons = dict(summary.errors)
    expected = {
        bad / "binary.txt": "binary", bad / "empty.txt": "empty file",
        bad / "undecodable.txt": "cannot detect the text encoding", bad / "blank.md": "empty file",
        bad / "huge.txt": "over the", bad / "nomain.html": "no main text",
        f"{bad / 'lines.jsonl'}:2": "line is not valid JSON", f"{bad / 'lines.jsonl'}:3": "no 'text' field",
        f"{bad / 'lines.jsonl'}:4": "expected an object", bad / "broken.json": "not valid JSON",
        bad / "notext.csv": "no 'text' column", bad / "broken.zip": "not a valid zip archive",
        bad / "bad-date.json": "publication date 'next week'", explicit: "unsupported file type '.pdf'",
        tmp_path / "missing.txt": "no such file"}
    assert set(reasons) == {str(k) for k in expected}
    for where, words in expected.items():
        assert words in reasons[str(where)], (where, reasons[str(where)])
    assert (summary.ingested, summary.failed) == (1, len(expected))
    assert {r[0] for r in docs(db)} == {"keep", "lines-1"}


def test_rerun_is_idempotent_and_force_reextracts(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"n{i}.txt").write_text(variant(i), encoding="utf-8")
    (folder / "dup.txt").write_text(variant(0) + "\r\n", encoding="utf-8")  # same text as n0
    db = tmp_path / "s.duckdb"
    first = run([folder], db)
    assert (first.ingested, first.duplicate) == (5, 1)
    before = claim_rows(db)
    again = run([folder], db)
    assert (again.ingested, again.duplicate, again.claims) == (0, 6, 0)
    assert claim_rows(db) == before
    forced = run([folder], db, force=True)
    assert (forced.ingested, forced.reextracted, forced.duplicate) == (0, 5, 1)
    assert claim_rows(db) == before and len(docs(db)) == 5


def test_reextract_revisits_documents_of_other_versions(tmp_path):
    db = tmp_path / "s.duckdb"
    con = store.connect(db)
    old = [(Source(name=f"o{i}", path=f"o{i}.txt", text=variant(i)), []) for i in range(3)]
    store.write_documents(con, old, extractor_version="0.0.0-old")
    store.write_documents(con, [(Source(name="cur", path="cur.txt", text=variant(9)), [])])
    con.close()
    summary = ing.reextract(db=db, progress=False)
    assert (summary.reextracted, summary.ingested, summary.failed) == (3, 0, 0)
    con = store.connect(db, read_only=True)
    assert {r[0] for r in con.execute("SELECT DISTINCT extractor_version FROM documents").fetchall()} == {
        EXTRACTOR_VERSION}
    con.close()
    assert summary.claims == expected_claims(*((f"o{i}", variant(i), None) for i in range(3)))
    assert ing.reextract(db=db, progress=False).reextracted == 0
    assert ing.reextract(db=db, progress=False, everything=True).reextracted == 4


def test_parallel_workers_store_what_one_process_stores(tmp_path):
    records = tmp_path / "many.jsonl"
    records.write_text("\n".join(json.dumps({"id": f"r{i:03}", "text": variant(i), "published": "2026-03"})
                                 for i in range(ing.SERIAL_BELOW + 40)), encoding="utf-8")
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    s1 = run([records], one, workers=1, batch=50)
    s2 = run([records], two, workers=2, batch=50)
    assert s1.ingested == s2.ingested == ing.SERIAL_BELOW + 40 and s1.claims == s2.claims
    assert claim_rows(one) == claim_rows(two) and docs(one) == docs(two)
    # The workers also make each document's near-duplicate signature; the store keeps it as made.
    from data import dedupe

    for db in (one, two):
        con = store.connect(db, read_only=True)
        try:
            kept = con.execute("SELECT d.text, g.signature FROM doc_groups g JOIN documents d USING (doc_id)"
                               ).fetchall()
        finally:
            con.close()
        assert len(kept) == s1.ingested and all(sig == dedupe.signature_bytes(text) for text, sig in kept)


def test_a_failing_signature_is_made_again_by_the_writer(tmp_path, monkeypatch):
    # A worker whose signature fails still sends the claims; the writer signs the document itself.
    from data import dedupe, worker

    def broken(text):
        raise RuntimeError("no signature")

    results = worker.extract_batch([(variant(1), None, "a"), ("", None, "b")])
    assert [ok for ok, _, _ in results] == [True, True] and results[0][2] == dedupe.signature_bytes(variant(1))
    monkeypatch.setattr(worker.dedupe, "signatures_bytes", broken)
    assert [sig for _, _, sig in worker.extract_batch([(variant(1), None, "a")])] == [None]
    monkeypatch.undo()
    monkeypatch.setattr(worker, "_signatures", lambda texts: iter([None] * len(texts)))
    db = tmp_path / "s.duckdb"
    src = tmp_path / "a.txt"
    src.write_text(variant(3), encoding="utf-8")
    assert run([src], db, workers=1).ingested == 1
    con = store.connect(db, read_only=True)
    try:
        assert con.execute("SELECT signature FROM doc_groups").fetchall() == [(dedupe.signature_bytes(variant(3)),)]
    finally:
        con.close()


def test_ingest_bytes_for_uploads(tmp_path):
    db = tmp_path / "s.duckdb"
    items = [("上传.txt", variant(1).encode("gb18030")),
             ("batch.jsonl", (json.dumps({"text": variant(2)}) + "\n").encode("utf-8")),
             ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
             ("blank.txt", b"")]
    summary = ing.ingest_bytes(items, db=db)
    assert (summary.ingested, summary.failed) == (2, 2)
    assert {n for n, _ in summary.errors} == {"photo.png", "blank.txt"}
    assert {r[0] for r in docs(db)} == {"上传", "batch-1"}


def test_ensure_demo_fills_only_an_empty_store(tmp_path):
    db = tmp_path / "s.duckdb"
    summary = ing.ensure_demo(db)
    assert summary is not None and summary.ingested == 1 and summary.ok
    [(name, _, published, enc, text)] = docs(db)
    assert name == "seed_000" and enc == "utf-8"
    assert text == (ROOT / "data" / "demo" / "seed_000.txt").read_text(encoding="utf-8").replace("\r\n", "\n")
    assert ing.ensure_demo(db) is None


def test_cli_summary_and_exit_status(tmp_path):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(variant(1), encoding="utf-8")
    bad.write_bytes(b"")
    db = tmp_path / "s.duckdb"

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "indicators", "ingest", *map(str, args), "--db", str(db),
                               "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)

    done = cli(good)
    assert done.returncode == 0 and done.stdout == ""
    assert "1 ingested, 0 skipped as duplicate, 0 failed" in done.stderr
    failed = cli(good, bad)
    assert failed.returncode == 1
    assert f"error: {bad}: empty file" in failed.stderr and "0 ingested, 1 skipped as duplicate, 1 failed" in failed.stderr
    dask = cli(good, "--engine", "dask")
    assert dask.returncode == 2 and "--scheduler" in dask.stderr
    again = subprocess.run([sys.executable, "-m", "indicators", "reextract", "--all", "--db", str(db), "--quiet"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "1 re-extracted, 0 failed" in again.stderr, again.stderr


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_jsonl_is_streamed_in_any_encoding(tmp_path, encoding):
    lines = [json.dumps({"id": f"e{i}", "text": variant(i), "title": 2026 + i}, ensure_ascii=False) for i in range(40)]
    path = tmp_path / "big.jsonl"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    db = tmp_path / "s.duckdb"
    summary = run([path], db)
    assert (summary.ingested, summary.failed) == (40, 0), summary.errors
    rows = {r[0]: r for r in docs(db)}
    assert rows["e7"][1] == "2033" and rows["e7"][4] == variant(7)


def test_a_run_writes_on_one_duckdb_thread_and_gives_the_others_back(tmp_path, monkeypatch):
    # DuckDB's thread count is the whole database's: another connection of this process to the same
    # store (the dashboard's) must find it as it was, after a run that went well and one that failed.
    db = tmp_path / "s.duckdb"
    other = store.connect(db)
    other.execute("SET threads = 3")
    seen = []
    original = store.write_documents

    def watching(con, *args, **kwargs):
        seen.append(con.execute("SELECT current_setting('threads')").fetchone()[0])
        return original(con, *args, **kwargs)

    monkeypatch.setattr(store, "write_documents", watching)
    assert ing.run(iter([Source(name="a", path="a", text=variant(1))]), db=db, workers=1, progress=False).ingested == 1
    assert seen == [1]
    assert other.execute("SELECT current_setting('threads')").fetchone()[0] == 3

    def failing(con, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "write_documents", failing)
    with pytest.raises(RuntimeError):
        ing.run(iter([Source(name="b", path="b", text=variant(2))]), db=db, workers=1, progress=False)
    assert other.execute("SELECT current_setting('threads')").fetchone()[0] == 3
    other.close()
