"""A killed ingest leaves whole documents only and a rerun completes it; concurrent ingests share a store."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from data import ingest as ing
from data import store
from indicators import extract

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("某市前三季度规模以上工业增加值同比增长{a}.{b}%，固定资产投资完成{c}亿元，"
        "社会消费品零售总额{d}亿元，新增市场主体{e}户。")


def write_records(path: Path, numbers) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in numbers:
            text = TEXT.format(a=i % 9 + 1, b=i % 10, c=100 + i, d=200 + i, e=1000 + i)
            fh.write(json.dumps({"id": f"n{i:05}", "text": text, "published": "2025-10"}, ensure_ascii=False) + "\n")


def cli(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "indicators", "ingest", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def snapshot(db):
    con = store.connect(db, read_only=True)
    try:
        docs = con.execute("SELECT name, text, published FROM documents ORDER BY name").fetchall()
        claims = con.execute('SELECT d.name, c.quote, c.start, c."end", c.value, c.unit, c.kind, c.period '
                             "FROM claims c JOIN documents d USING (doc_id) ORDER BY d.name, c.start, c.quote").fetchall()
    finally:
        con.close()
    return docs, claims


@pytest.mark.slow
def test_kill_mid_run_then_rerun_equals_a_clean_run(tmp_path):
    records = tmp_path / "records.jsonl"
    n = 1500
    write_records(records, range(n))
    db = tmp_path / "killed.duckdb"
    proc = cli(records, "--db", db, "--workers", "1", "--batch", "10")
    seen, done = [], threading.Event()

    def watch():  # tqdm reports "N doc" on stderr; kill once some batches are committed
        buf = b""
        while chunk := proc.stderr.read1(4096):
            buf = buf[-200:] + chunk
            counts = [int(x) for x in re.findall(rb"(\d+) doc", buf)]
            if counts and max(counts) >= 100:
                seen.append(max(counts))
                done.set()
                return
        done.set()

    threading.Thread(target=watch, daemon=True).start()
    done.wait(120)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert seen, "the ingest finished before it could be killed: make the input larger"

    docs, claims = snapshot(db)
    assert 0 < len(docs) < n
    # Every stored document has all of its claims: no document was cut in half by the kill.
    per_doc = {}
    for row in claims:
        per_doc[row[0]] = per_doc.get(row[0], 0) + 1
    for name, text, published in docs:
        assert per_doc.get(name, 0) == len(extract(text, published=published, doc=name)), name

    rerun = ing.ingest([records], db=db, progress=False)
    assert rerun.ok and rerun.ingested == n - len(docs) and rerun.duplicate == len(docs)
    clean = tmp_path / "clean.duckdb"
    assert ing.ingest([records], db=clean, progress=False).ingested == n
    assert snapshot(db) == snapshot(clean)


@pytest.mark.slow
def test_two_ingests_at_once_both_complete(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_records(first, range(0, 900))
    write_records(second, range(600, 1500))  # 300 articles in both
    db = tmp_path / "shared.duckdb"
    a = cli(first, "--db", db, "--quiet")
    time.sleep(0.2)
    b = cli(second, "--db", db, "--quiet", "--lock-timeout", "120")
    out_a, err_a = a.communicate(timeout=300)
    out_b, err_b = b.communicate(timeout=300)
    assert a.returncode == 0 and b.returncode == 0, (err_a, err_b)
    assert b"waiting up to" in err_a + err_b  # one of them really waited for the other's lock
    docs, _ = snapshot(db)
    assert [d[0] for d in docs] == [f"n{i:05}" for i in range(1500)]
    total = re.findall(rb"(\d+) ingested, (\d+) skipped as duplicate", err_a + err_b)
    assert sorted((int(x), int(y)) for x, y in total) in ([(600, 300), (900, 0)], [(900, 0), (600, 300)])


def test_a_locked_store_makes_a_short_timeout_ingest_fail_clearly(tmp_path):
    db = tmp_path / "s.duckdb"
    records = tmp_path / "r.jsonl"
    write_records(records, range(3))
    con = store.connect(db)  # this process holds the write lock
    try:
        proc = cli(records, "--db", db, "--quiet", "--lock-timeout", "0.5")
        out, err = proc.communicate(timeout=120)
    finally:
        con.close()
    assert proc.returncode == 1
    assert re.search(rb"error: .*s\.duckdb is locked by process \d+.*gave up after 0\.5 s", err), err
    assert store.count(store.connect(db, read_only=True), "documents") == 0
