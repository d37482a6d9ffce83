"""Command line: `extract` lives here; store commands are handed to `data.cli`."""
from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date

from .claim import FIELDS
from .extract import extract
from .reader import ReadError, iter_files, read_path

STORE_COMMANDS = ("ingest", "export", "review", "reextract", "facts")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _extract_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m indicators extract",
                                 description="Print the numeric claims of article files.")
    ap.add_argument("paths", nargs="+", metavar="PATH", help="a .txt/.md/.html file or a folder")
    ap.add_argument("--published", type=_date, help="publication date for texts without a .meta.json")
    ap.add_argument("--format", choices=("jsonl", "csv", "table"), default="jsonl")
    return ap


def _write(rows, fmt: str, out) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    else:
        cols = ("doc", "quote", "value", "unit", "kind", "direction", "approx", "indicator",
                "place", "period", "sector")
        out.write("\t".join(cols) + "\n")
        for row in rows:
            out.write("\t".join("" if row[c] is None else str(row[c]) for c in cols) + "\n")


def run_extract(argv) -> int:
    """Extract claims from files; one error line per bad file, status 1 if any failed."""
    args = _extract_parser().parse_args(argv)
    failed = 0
    rows = []
    for path in iter_files(args.paths):
        try:
            source = read_path(path, args.published)
        except ReadError as err:
            print(f"error: {err}", file=sys.stderr)
            failed += 1
            continue
        claims = extract(source.text, published=source.published, doc=source.name)
        batch = [c.to_dict() for c in claims]
        if args.format == "jsonl":
            _write(batch, "jsonl", sys.stdout)  # stream: long runs show output as they go
        else:
            rows += batch
    if args.format != "jsonl":
        _write(rows, args.format, sys.stdout)
    return 1 if failed else 0


def main(argv=None) -> int:
    """Dispatch `python -m indicators COMMAND …`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m indicators {extract," + ",".join(STORE_COMMANDS) + "} ...")
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "extract":
        return run_extract(rest)
    if command in STORE_COMMANDS:
        # The store is an application layer over this library; import it only when asked.
        from data.cli import main as store_main

        return store_main(command, rest)
    print(f"unknown command {command!r}; try --help", file=sys.stderr)
    return 2
