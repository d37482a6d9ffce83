"""`python -m indicators facts`: list the facts of the store, one row per fact, conflicts first."""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from . import facts, store

FORMATS = ("table", "csv", "jsonl")
_TABLE = ("fact_id", "indicator", "place", "period", "kind", "value", "unit", "status", "n_sources",
          "n_documents", "n_claims")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m indicators facts",
                                 description="One row per fact: claims of the same indicator, place, period, "
                                             "kind and unit merged, with their independent sources; facts "
                                             "whose sources disagree beyond rounding are flagged conflict.")
    ap.add_argument("--conflicts", action="store_true", help="only facts whose sources disagree")
    ap.add_argument("--province", help="province-level area, e.g. 上海市 (a prefix such as 上海 works)")
    ap.add_argument("--indicator", help="indicator (any synonym of it)")
    ap.add_argument("--format", choices=FORMATS, default="table")
    ap.add_argument("--limit", type=int, help="at most this many facts")
    ap.add_argument("--rebuild", action="store_true", help="recompute every fact from the claims first")
    ap.add_argument("--db", type=Path, help="store file (default: $ATLAS_DB or data/atlas.duckdb)")
    ap.add_argument("--lock-timeout", type=float, default=None, metavar="SECONDS",
                    help="how long to wait for another process's lock on the store (default 60)")
    return ap


def main(argv) -> int:
    """Run the `facts` command; its exit status."""
    args = _parser().parse_args(argv)
    if args.limit is not None and args.limit < 0:
        print("error: --limit takes a whole number ≥ 0", file=sys.stderr)
        return 2
    try:
        con = store.connect(args.db, read_only=not args.rebuild, lock_timeout=args.lock_timeout)
        if not args.rebuild and not facts.has_facts(con):
            # A store filled before the fact layer existed: build its facts once.
            con.close()
            print("the store has no facts yet; building them from its claims", file=sys.stderr)
            args.rebuild = True
            con = store.connect(args.db, lock_timeout=args.lock_timeout)
        if args.rebuild:
            facts.rebuild_facts(con)
        frame = facts.facts_frame(con, conflicts_only=args.conflicts, province=args.province,
                                  indicator=args.indicator, limit=args.limit)
        members = {fid: facts.fact_members(con, fid) for fid in frame["fact_id"]} \
            if args.format == "jsonl" or (args.format == "table" and args.conflicts) else {}
    except store.StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    con.close()
    out = sys.stdout
    if args.format == "csv":
        _csv(frame, out)
    elif args.format == "jsonl":
        _jsonl(frame, members, out)
    else:
        _table(frame, members, out)
    print(f"{len(frame)} facts", file=sys.stderr)
    return 0


def _plain(value):
    """A JSON/CSV-friendly form of a frame cell (NaN → None, dates → ISO, arrays → lists)."""
    import pandas as pd

    if hasattr(value, "tolist") and not isinstance(value, pd.Timestamp):
        return value.tolist()
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):  # DATE columns come back as midnight timestamps
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return value


def _csv(frame, out) -> None:
    writer = csv.writer(out)
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow(["|".join(f"{v:g}" for v in c) if isinstance(c := _plain(x), list) else
                         ("" if c is None else c) for x in row])


def _jsonl(frame, members, out) -> None:
    keep = ("claim_id", "doc", "title", "url", "published", "group_id", "value_cluster", "value", "value_high",
            "unit", "direction", "approx", "quote", "indicator")
    for rec in frame.to_dict("records"):
        obj = {k: _plain(v) for k, v in rec.items()}
        obj["members"] = [{k: _plain(m[k]) for k in keep} for m in members[rec["fact_id"]].to_dict("records")]
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _value(rec) -> str:
    if rec["status"] == "conflict":
        return " | ".join(f"{v:g}" for v in rec["value_list"])
    text = f"{rec['value']:g}"
    if _plain(rec["value_high"]) is not None:
        text += f"–{rec['value_high']:g}"
    return text + (f" ({rec['approx']})" if rec["approx"] not in (None, "exact") else "")


def _table(frame, members, out) -> None:
    out.write("\t".join(_TABLE) + "\n")
    for rec in frame.to_dict("records"):
        cells = {**rec, "value": _value(rec), "place": rec["place"] or rec["adcode"] or ""}
        out.write("\t".join("" if _plain(cells[c]) is None else str(cells[c]) for c in _TABLE) + "\n")
        if rec["fact_id"] not in members:
            continue
        for m in members[rec["fact_id"]].to_dict("records"):
            out.write(f"\t  [{m['value_cluster']}] {m['value']:g} {m['unit']}\t{m['quote']}\t{m['doc']}"
                      f"\t{_plain(m['title']) or ''}\n")
