"""Bulk inserts: one path by which the store, the fact layer and the near-duplicate groups add rows."""
from __future__ import annotations

import functools
import gc
from contextlib import contextmanager


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


@contextmanager
def one_thread(con):
    """DuckDB on one thread while the block runs (the database's setting restored after)."""
    # A bulk writer's statements are small: DuckDB spends more handing their pipelines to its other
    # threads and waiting for them than it gains, and with extraction workers on every core those
    # threads only compete with them.  Writing 2,000 articles in batches of 20: CPU 2.67 -> 2.44 s.
    # Set per run, not per write: each change of the setting restarts DuckDB's threads, which cost
    # as much as one batch saved.  The setting is the whole database's, hence restored.
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    if threads <= 1:
        yield
        return
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {threads:d}")  # an int read from DuckDB itself, not input


def no_vacuum(con) -> None:
    """Keep this process's checkpoints from merging row groups (DuckDB's vacuum) of the store `con` writes."""
    # Each checkpoint after a write puts the rows appended since into a new row group, and the vacuum
    # then merges it into the one before: every checkpoint rewrote the tail of documents (their text),
    # claims, fact_members and doc_groups, a rewrite that grows with the store (up to 122,880 rows a
    # row group).  Writing 20,000 articles in batches of 500: the last batches' COMMIT 0.21 -> 0.06 s,
    # the per-batch cost flat; the file 76 -> 62 MiB.  Row groups stay one checkpoint's appends (about
    # 2,000 documents).  The price: rows deleted from a row group (claims of re-extracted documents)
    # stay as tombstones until the whole row group is deleted; the fact layer's churn in `facts` stayed
    # within one row group (357 facts live, 1,428 rows stored, with or without vacuum).
    con.execute("SET max_vacuum_tasks = 0")


def insert_arrow(con, table_name: str, arrow_table) -> None:
    """Insert an Arrow table's rows into `table_name`, its columns matched to the table's by name."""
    # The table name is a constant of data/store.py, data/facts.py or data/dedupe.py, never user input;
    # the rows are data.  DuckDB reads the Arrow table through a replacement scan of this local
    # variable: one call, where register + insert + unregister cost three (about 1.5 ms a statement
    # more).  BY NAME instead of a column list and a projection of the same names: DuckDB binds every
    # column of a statement, and naming them twice cost 0.15-0.2 ms an insert (26 columns, 20 or
    # 400 rows: 1.14 -> 0.96 ms, 1.51 -> 1.29 ms); five inserts a batch.
    _incoming_arrow_rows = arrow_table  # noqa: F841 (read by name in the SQL below)
    con.execute(f"INSERT INTO {table_name} BY NAME SELECT * FROM _incoming_arrow_rows")
