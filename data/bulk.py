"""Bulk inserts: one path by which the store, the fact layer and the near-duplicate groups add rows."""
from __future__ import annotations


def insert_arrow(con, table_name: str, columns, arrow_table) -> None:
    """Insert an Arrow table's rows into `table_name` (its columns named by `columns`) in one statement."""
    # Table and column names are constants of data/store.py, data/facts.py and data/dedupe.py, never user
    # input; the rows are data.  DuckDB reads the Arrow table through a replacement scan of this local
    # variable: one call, where register + insert + unregister cost three (about 1.5 ms a statement more).
    _incoming_arrow_rows = arrow_table  # noqa: F841 (read by name in the SQL below)
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.execute(f"INSERT INTO {table_name} ({quoted}) SELECT {quoted} FROM _incoming_arrow_rows")
