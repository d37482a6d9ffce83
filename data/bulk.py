"""Bulk inserts: one path by which the store, the fact layer and the near-duplicate groups add rows."""
from __future__ import annotations

import functools
import gc


def gc_paused(write):
    """`write` run with the cyclic garbage collector paused (as it was again after)."""
    # A batch's write makes hundreds of thousands of short-lived tuples, dicts and lists, none in a
    # cycle: each few hundred trigger a collection, and every few a full one, which walks the whole
    # heap (the extractor's caches during an ingest).  Ingest of 3000 articles: GC in the write path
    # 0.19 s -> 0, GC in all 0.30 -> 0.15 s.  Collection resumes with the next allocation after.
    @functools.wraps(write)
    def paused(*args, **kwargs):
        was = gc.isenabled()
        gc.disable()
        try:
            return write(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return paused


def insert_arrow(con, table_name: str, columns, arrow_table) -> None:
    """Insert an Arrow table's rows into `table_name` (its columns named by `columns`) in one statement."""
    # Table and column names are constants of data/store.py, data/facts.py and data/dedupe.py, never user
    # input; the rows are data.  DuckDB reads the Arrow table through a replacement scan of this local
    # variable: one call, where register + insert + unregister cost three (about 1.5 ms a statement more).
    _incoming_arrow_rows = arrow_table  # noqa: F841 (read by name in the SQL below)
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.execute(f"INSERT INTO {table_name} ({quoted}) SELECT {quoted} FROM _incoming_arrow_rows")
