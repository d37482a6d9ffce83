"""Store commands of `python -m indicators`: ingest, reextract, export, review and facts."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return n


def _common(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--db", type=Path, help="store file (default: $ATLAS_DB or data/atlas.duckdb)")
    ap.add_argument("--lock-timeout", type=float, default=None, metavar="SECONDS",
                    help="how long to wait for another process's lock on the store (default 60)")


def _engine_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--workers", type=_positive, help="extraction processes (default: all cores)")
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    ap.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler, e.g. tcp://HOST:8786")
    ap.add_argument("--batch", type=_positive, default=500, help="documents per write transaction")
    ap.add_argument("--quiet", action="store_true", help="no progress bar, errors and summary only")


def _report(summary, quiet: bool) -> int:
    for name, reason in summary.errors:
        print(f"error: {name}: {reason}", file=sys.stderr)
    print(str(summary), file=sys.stderr if quiet else sys.stdout)
    return 0 if summary.ok else 1


def cmd_ingest(argv) -> int:
    """`ingest PATH_OR_URL...`: store the articles and their claims."""
    from .ingest import ingest
    from .sources import TIMEOUT

    ap = argparse.ArgumentParser(prog="python -m indicators ingest",
                                 description="Extract and store the claims of articles: .txt .md .html "
                                             ".json .jsonl .csv .zip files, folders, http(s) pages and feeds.")
    ap.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    _common(ap)
    _engine_args(ap)
    ap.add_argument("--force", action="store_true", help="re-extract documents already stored")
    ap.add_argument("--timeout", type=float, default=TIMEOUT, help=f"seconds allowed per URL download "
                                                                    f"(default {TIMEOUT:g})")
    args = ap.parse_args(argv)
    summary = ingest(args.inputs, db=args.db, workers=args.workers, engine=args.engine,
                     scheduler=args.scheduler, force=args.force, progress=not args.quiet, batch=args.batch,
                     lock_timeout=args.lock_timeout, timeout=args.timeout)
    return _report(summary, args.quiet)


def cmd_reextract(argv) -> int:
    """`reextract`: re-run the current extractor over stored documents."""
    from .ingest import reextract

    ap = argparse.ArgumentParser(prog="python -m indicators reextract",
                                 description="Re-run the extractor over documents an older version read; "
                                             "claims found again at the same span keep their id and reviews.")
    _common(ap)
    _engine_args(ap)
    ap.add_argument("--all", action="store_true", help="every document, whatever version read it")
    args = ap.parse_args(argv)
    summary = reextract(db=args.db, workers=args.workers, engine=args.engine, scheduler=args.scheduler,
                        everything=args.all, progress=not args.quiet, batch=args.batch,
                        lock_timeout=args.lock_timeout)
    return _report(summary, args.quiet)


def cmd_export(argv) -> int:
    """`export --format F`: write the reviewed claims with quotes and sources."""
    from .export import FORMATS, export

    ap = argparse.ArgumentParser(prog="python -m indicators export",
                                 description="Write the claims, reviewed values applied, with their quotes "
                                             "and sources. Rejected claims are left out unless --rejected.")
    ap.add_argument("--format", choices=FORMATS, required=True)
    ap.add_argument("-o", "--output", type=Path, help="output file (default: claims.FORMAT; - for stdout, "
                                                      "csv and jsonl only)")
    ap.add_argument("--province", help="province-level area, e.g. 上海市 (a prefix such as 上海 works)")
    ap.add_argument("--sector", help="sector, e.g. industry")
    ap.add_argument("--since", type=_date, help="claims whose period starts on or after DATE "
                                                "(undated claims: published on or after)")
    ap.add_argument("--rejected", action="store_true", help="include rejected claims (flagged)")
    _common(ap)
    args = ap.parse_args(argv)
    out = args.output or Path(f"claims.{args.format}")
    try:
        n = export(out, args.format, db=args.db, province=args.province, sector=args.sector,
                   since=args.since, include_rejected=args.rejected, lock_timeout=args.lock_timeout)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{n} claims written to {out}", file=sys.stderr)
    return 0


def cmd_review(argv) -> int:
    """`review CLAIM_ID --status S [--set field=value]`: record a review; without --status, show history."""
    from . import reviews, store

    ap = argparse.ArgumentParser(prog="python -m indicators review",
                                 description="Confirm, reject or correct a claim. Every review is kept "
                                             "(audit trail); exports and charts use the latest.")
    ap.add_argument("claim_id", type=int)
    ap.add_argument("--status", choices=reviews.STATUSES)
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="corrected field (repeatable; implies --status corrected; VALUE null clears it)")
    ap.add_argument("--note")
    _common(ap)
    args = ap.parse_args(argv)
    status = args.status or ("corrected" if args.set else None)
    if args.set and status != "corrected":
        ap.error("--set goes with --status corrected")
    if status == "corrected" and not args.set:
        ap.error("--status corrected needs at least one --set FIELD=VALUE")
    pairs = []
    for item in args.set:
        if "=" not in item:
            ap.error(f"--set {item!r}: expected FIELD=VALUE")
        pairs.append(tuple(part.strip() for part in item.split("=", 1)))
    con = store.connect(args.db, read_only=status is None, lock_timeout=args.lock_timeout)
    try:
        if reviews.reviewed_claim(con, args.claim_id) is None:
            print(f"error: no claim {args.claim_id} in the store", file=sys.stderr)
            return 1
        if status is not None:
            with store.transaction(con):  # all --set fields, or none
                if pairs:
                    for field, value in pairs:
                        reviews.add_review(con, args.claim_id, status, field, value, args.note,
                                           transaction=False)
                else:
                    reviews.add_review(con, args.claim_id, status, note=args.note, transaction=False)
        _show(reviews, con, args.claim_id)
    except reviews.ReviewError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def _show(reviews, con, claim_id: int) -> None:
    claim = reviews.reviewed_claim(con, claim_id)
    print(f"claim {claim_id}: {claim['quote']} = {claim['value']:g} {claim['unit']} ({claim['kind']}) "
          f"place={claim['place']} period={claim['period']} indicator={claim['indicator']} "
          f"status={claim['review_status'] or 'unreviewed'}")
    for review_id, status, field, value, note, at in reviews.review_history(con, claim_id):
        change = f" {field}={value if value is not None else 'null'}" if field else ""
        print(f"  #{review_id} {at:%Y-%m-%d %H:%M:%S} {status}{change}" + (f"  ({note})" if note else ""))


COMMANDS = {"ingest": cmd_ingest, "reextract": cmd_reextract, "export": cmd_export, "review": cmd_review}


def main(command: str, argv: list[str]) -> int:
    """Run one store command; its exit status."""
    from .store import StoreError

    if command == "facts":
        from .facts_cli import main as facts_main

        return facts_main(argv)
    if command not in COMMANDS:
        print(f"error: unknown store command {command!r}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[command](argv)
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except ValueError as err:  # e.g. --engine dask without --scheduler
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; documents already written stay stored, rerun to complete", file=sys.stderr)
        return 130
