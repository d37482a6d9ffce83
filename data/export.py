"""Export reviewed claims with their quotes and sources as CSV (UTF-8 BOM), XLSX, Parquet or JSON Lines."""
from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime
from pathlib import Path

from . import store

FORMATS = ("csv", "xlsx", "parquet", "jsonl")


def frame(db=None, province: str | None = None, sector: str | None = None, since: date | None = None,
          include_rejected: bool = False, con=None, lock_timeout: float | None = None):
    """The claims to export as a DataFrame (reviewed values applied, rejected ones dropped by default)."""
    own = con is None
    con = con if con is not None else store.connect(db, read_only=True, lock_timeout=lock_timeout)
    try:
        return store.export_frame(con, province, sector, since, include_rejected)
    finally:
        if own:
            con.close()


def write(df, out, fmt: str) -> None:
    """Write a claims DataFrame to `out` (a path, or '-' for stdout with csv/jsonl)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    to_stdout = str(out) == "-"
    if to_stdout and fmt in ("xlsx", "parquet"):
        raise ValueError(f"{fmt} is a binary format; give an output file with -o")
    if fmt == "csv":
        # The BOM lets Excel open Chinese text as UTF-8.
        df.to_csv(sys.stdout if to_stdout else out, index=False,
                  encoding=None if to_stdout else "utf-8-sig")
    elif fmt == "xlsx":
        df.to_excel(out, index=False, sheet_name="claims", engine="openpyxl")
    elif fmt == "parquet":
        df.to_parquet(out, index=False)
    else:
        fh = sys.stdout if to_stdout else open(out, "w", encoding="utf-8")
        try:
            for row in df.to_dict(orient="records"):
                fh.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        finally:
            if not to_stdout:
                fh.close()


def _plain(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        try:
            if value != value:  # NaT
                return None
        except TypeError:
            pass
        if isinstance(value, datetime) or type(value).__name__ == "Timestamp":
            stamp = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
            return stamp.date().isoformat() if stamp.time() == datetime.min.time() else stamp.isoformat()
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def export(out, fmt: str, db=None, province: str | None = None, sector: str | None = None,
           since: date | None = None, include_rejected: bool = False, lock_timeout: float | None = None) -> int:
    """Write the selected claims to `out` in `fmt`; the number of claims written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    df = frame(db, province, sector, since, include_rejected, lock_timeout=lock_timeout)
    if str(out) != "-":
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    write(df, out, fmt)
    return len(df)
