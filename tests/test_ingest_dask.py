"""The Dask engine stores exactly what the local engine stores."""
import json
from pathlib import Path

import pytest

from data import ingest as ing
from data import store

distributed = pytest.importorskip("distributed", reason="dask[distributed] is in requirements.txt")

TEXT = "苏州市{i}月份外贸进出口总额{v}亿元，同比增长{p}.{q}%，其中出口{e}亿元。全市新设外资项目{n}个。"


def snapshot(db):
    con = store.connect(db, read_only=True)
    try:
        return (con.execute("SELECT doc_id, name, published, text FROM documents ORDER BY doc_id").fetchall(),
                con.execute('SELECT doc_id, quote, occurrence, start, "end", value, unit, kind, direction, approx, '
                            "indicator, sector, period, place, province FROM claims "
                            'ORDER BY doc_id, start, "end", quote').fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                  dashboard_address=None, host="127.0.0.1") as c:
        yield c


def test_dask_engine_claims_equal_the_local_engine(tmp_path, cluster):
    records = tmp_path / "r.jsonl"
    records.write_text("\n".join(json.dumps({"id": f"d{i}", "published": "2025-06", "text": TEXT.format(
        i=i % 12 + 1, v=300 + i, p=i % 9, q=i % 7, e=100 + i, n=i + 3)}, ensure_ascii=False) for i in range(90)),
        encoding="utf-8")
    local_db, dask_db = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    local = ing.ingest([records], db=local_db, workers=1, progress=False, batch=40)
    remote = ing.ingest([records], db=dask_db, engine="dask", scheduler=cluster.scheduler_address,
                        progress=False, batch=40)
    assert remote.ok and (remote.ingested, remote.claims) == (local.ingested, local.claims) == (90, local.claims)
    assert snapshot(dask_db) == snapshot(local_db)


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(ing, "DASK_TIMEOUT", 1.0)
    with pytest.raises(ValueError, match=f"cannot reach the dask scheduler at tcp://127.0.0.1:{port}"):
        ing.ingest([str(Path(__file__))], db=tmp_path / "x.duckdb", engine="dask",
                   scheduler=f"tcp://127.0.0.1:{port}", progress=False)
