"""Same stored results: dump what the store holds after a fixed set of writes, to compare two versions.

    python bench/store_check.py dump OUT.json [--code DIR] [--extractor DIR]
    python bench/store_check.py compare A.json B.json

`dump` ingests the shared corpus (../shared/corpus/articles.jsonl) and the dev documents
(../shared/eval/dev/docs/) in several ways and writes every table's rows (timestamps left out,
they differ from run to run) per scenario:

  ingest    in-process ingest in batches of 20, with reprints (stock quote injected, new title), then
            the same again (idempotence), then reviews (confirm, reject, corrections that move a claim
            to another fact or change its value), then a forced re-extraction of some documents;
  rebuild   the same store after rebuild_facts (incremental upkeep must equal a rebuild);
  writes    store.write_documents straight, as bench/ingest_speed.py's "writes" phase does (claims
            handed over, no near-duplicate signatures), in batches of 50, with text variants;
  pool      ingest with 2 worker processes in one batch of 500;
  reprints  six articles written 240 times each with some values varied per copy (facts of hundreds
            of members, intervals inserted before stored ones, values too precise to meet
            themselves), a review midway (the rest of the writes take the reviewed path).

`--code DIR` takes the store (data/) from another checkout, e.g. an old commit's `git archive`;
`--extractor DIR` takes indicators/ and geo/ from another (keep it fixed when comparing store code:
the extractor is changed by others in parallel).  The two are joined in a temporary folder of links.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ATLAS_SHARED", HERE.parent / "shared"))
CORPUS = SHARED / "corpus" / "articles.jsonl"
DEV = SHARED / "eval" / "dev" / "docs"
STOCK = "上海电气(4.990, 0.03, 0.60%)"
SKIP = {"ingested_at", "updated_at", "reviewed_at"}  # wall-clock times: differ between any two runs
TABLES = ("documents", "claims", "reviews", "facts", "fact_members", "doc_groups", "meta")


def _sources(reprints: int) -> list:
    from dataclasses import replace

    from data.ingest import iter_inputs

    items = [s for s in iter_inputs([CORPUS, DEV]) if hasattr(s, "text")]
    extra = []
    for k, s in enumerate(items[:reprints]):
        cut = s.text.find("，") + 1 or len(s.text) // 2
        extra.append(replace(s, name=s.name + "_reprint", title=f"转载{k}", url=None,
                             text="转载\n" + s.text[:cut] + STOCK + s.text[cut:]))
    return items + extra


# fact_members as readers see it (data/facts.py fact_members): its own columns, then its claim's as
# reviewed.  Before schema v4 the table copied those claim columns, always equal to the claim's as
# reviewed (checked over every scenario here on the v3 code: 0 of 22,215 member rows differ); read
# this way, a store of either version dumps the same.
MEMBERS = ("fact_id", "key_id", "claim_id", "doc_id", "group_id", "value_cluster")
MEMBER_CLAIM = ("value", "value_high", "unit", "direction", "approx", "quote", "indicator")
_MEMBERS_SQL = (f"SELECT {', '.join('m.' + c for c in MEMBERS)}, {', '.join('c.' + c for c in MEMBER_CLAIM)} "
                "FROM fact_members m LEFT JOIN claims_reviewed c ON c.claim_id = m.claim_id")


def _dump(con) -> dict:
    out = {}
    for table in TABLES:
        if table == "fact_members":
            cur = con.execute(_MEMBERS_SQL)
            cols, rows = [d[0] for d in cur.description], cur.fetchall()
            out[table] = {"columns": cols, "rows": sorted(json.dumps([repr(v) for v in r], ensure_ascii=False)
                                                          for r in rows)}
            continue
        cur = con.execute(f"SELECT * FROM {table} LIMIT 0")  # constant table names
        cols = [d[0] for d in cur.description if d[0] not in SKIP]
        rows = con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {table}").fetchall()
        if table == "meta":  # the schema version moves with the schema, by design
            rows = [r for r in rows if r[0] != "schema_version"]
        rows = sorted(json.dumps([v.hex() if isinstance(v, bytes) else repr(v) for v in r], ensure_ascii=False)
                      for r in rows)
        out[table] = {"columns": cols, "rows": rows}
    return out


def _reviews(con) -> None:
    try:
        from data import reviews
    except ImportError:  # --code from before data/reviews.py: the store module held the reviews
        from data import store as reviews

    ids = [r[0] for r in con.execute(
        "SELECT claim_id FROM fact_members ORDER BY key_id, claim_id").fetchall()]
    reviews.add_review(con, ids[0], "confirmed", note="ok")
    reviews.add_review(con, ids[5], "rejected", note="wrong")
    reviews.add_review(con, ids[9], "corrected", "value", "123.4")
    reviews.add_review(con, ids[13], "corrected", "indicator", "粮食总产量")
    reviews.add_review(con, ids[17], "corrected", "period", "2019")
    reviews.add_review(con, ids[21], "corrected", "adcode", None)
    reviews.add_review(con, ids[21], "corrected", "place", None)


def scenario_ingest(tmp: Path) -> tuple[dict, dict]:
    from data import facts, store
    from data.ingest import run

    items = _sources(20)
    con = store.connect(tmp / "ingest.duckdb")
    for i in range(0, len(items), 20):
        run(iter(items[i:i + 20]), con=con, workers=1, progress=False)
    run(iter(items), con=con, workers=1, progress=False)  # idempotent: adds nothing
    _reviews(con)
    run(iter(items[3:30]), con=con, workers=1, progress=False, force=True)
    first = _dump(con)
    facts.rebuild_facts(con)
    second = _dump(con)
    con.close()
    return first, second


def scenario_writes(tmp: Path) -> dict:
    from data import store
    from data.worker import claim_rows
    from indicators.reader import Source

    items = _sources(0)
    claims = [claim_rows(s.text, s.published, s.name) for s in items]
    con = store.connect(tmp / "writes.duckdb")
    docs = []
    for copy in range(3):
        for k, s in enumerate(items):
            text = s.text if not copy else f"{s.text}\n（{copy}）"
            docs.append((Source(name=f"{s.name}-{copy}", path="bench", text=text), claims[k]))
    for i in range(0, len(docs), 50):
        store.write_documents(con, docs[i:i + 50])
    out = _dump(con)
    con.close()
    return out


def scenario_reprints(tmp: Path) -> dict:
    """A few articles written hundreds of times (facts with hundreds of members, one near-duplicate
    group), some values moved up or down per copy (intervals inserted before and after the stored
    ones, conflicts, ambiguous keys), some made too precise to meet themselves; a review midway."""
    from data import store
    from data.worker import claim_rows
    from indicators.reader import Source

    items = _sources(0)[:6]
    vi = store.CLAIM_FIELDS.index("value")
    base = [claim_rows(s.text, s.published, s.name) for s in items]
    con = store.connect(tmp / "reprints.duckdb")
    docs = []
    for copy in range(240):
        for k, s in enumerate(items):
            rows = []
            for j, c in enumerate(base[k]):
                c = tuple(c)
                if (j + copy) % 11 == 0:
                    c = c[:vi] + (c[vi] * (0.5 if copy % 2 else 1.5),) + c[vi + 1:]
                elif (7 * j + copy) % 97 == 0:
                    c = c[:vi] + (12345678901.0,) + c[vi + 1:]
                rows.append(c)
            docs.append((Source(name=f"{s.name}-{copy}", path="bench", text=f"{s.text}\n（{copy}）"), rows))
    for i in range(0, len(docs), 60):
        store.write_documents(con, docs[i:i + 60])
        if i == 1080:
            _reviews(con)
    out = _dump(con)
    con.close()
    return out


def scenario_pool(tmp: Path) -> dict:
    from data import store
    from data.ingest import run

    con = store.connect(tmp / "pool.duckdb")
    run(iter(_sources(20)), con=con, workers=2, progress=False, batch=500)
    out = _dump(con)
    con.close()
    return out


def dump(out: Path) -> None:
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        ingest, rebuilt = scenario_ingest(tmp)
        result = {"ingest": ingest, "rebuild": rebuilt, "writes": scenario_writes(tmp), "pool": scenario_pool(tmp),
                  "reprints": scenario_reprints(tmp)}
    out.write_text(json.dumps(result, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{out}: " + ", ".join(f"{s} {sum(len(t['rows']) for t in v.values())} rows" for s, v in result.items()))


def compare(a: Path, b: Path) -> int:
    x, y = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    bad = 0
    for scenario in x.keys() | y.keys():
        for table in TABLES:
            t1, t2 = x.get(scenario, {}).get(table), y.get(scenario, {}).get(table)
            if t1 == t2:
                continue
            bad += 1
            if not t1 or not t2 or t1["columns"] != t2["columns"]:
                print(f"{scenario}.{table}: columns differ or missing")
                continue
            r1, r2 = set(t1["rows"]), set(t2["rows"])
            print(f"{scenario}.{table}: {len(r1 - r2)} rows only in {a.name}, {len(r2 - r1)} only in {b.name}")
            for r in sorted(r1 - r2)[:3]:
                print("  -", r[:300])
            for r in sorted(r2 - r1)[:3]:
                print("  +", r[:300])
    print("identical" if not bad else f"{bad} tables differ")
    return 1 if bad else 0


def _linked_root(code: Path, extractor: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="store_check_"))
    for name in ("data", "tests"):
        os.symlink(code / name, root / name)
    for name in ("indicators", "geo"):
        os.symlink(extractor / name, root / name)
    # The loader of compiled builds; it loads this checkout's build only for this checkout's packages.
    os.symlink(HERE / "native", root / "native")
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("dump", "compare", "_run"))
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--code", type=Path, default=HERE)
    ap.add_argument("--extractor", type=Path, default=HERE)
    args = ap.parse_args()
    if args.action == "compare":
        return compare(*args.files)
    if args.action == "_run":
        dump(args.files[0])
        return 0
    import shutil
    import subprocess

    root = _linked_root(args.code.resolve(), args.extractor.resolve())
    shutil.copy(__file__, root / "store_check.py")
    # A fresh interpreter whose imports (and the pool workers') come from the joined folder.
    env = {**os.environ, "PYTHONPATH": str(root), "ATLAS_SHARED": str(SHARED)}
    try:
        return subprocess.run([sys.executable, str(root / "store_check.py"), "_run", str(args.files[0].resolve())],
                              env=env, cwd=root).returncode
    finally:
        shutil.rmtree(root)

if __name__ == "__main__":
    sys.exit(main())
