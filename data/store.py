"""The claims store: DuckDB connection, schema migration, and the writes of documents and claims
(reviews: data/reviews.py)."""
from __future__ import annotations

import hashlib
import os
import re
import sys
import time
import unicodedata
import weakref
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from indicators.claim import FIELDS

from .bulk import gc_paused, insert_arrow, no_vacuum

SCHEMA_PATH = Path(__file__).with_name("schema.sql")
_SCHEMA_SQL = SCHEMA_PATH.read_text(encoding="utf-8")
_version = re.search(r"schema version (\d+)", _SCHEMA_SQL)
if _version is None:
    raise RuntimeError(f"{SCHEMA_PATH}: first line must state 'schema version N'")
SCHEMA_VERSION = int(_version.group(1))
LOCK_TIMEOUT = float(os.environ.get("ATLAS_LOCK_TIMEOUT", "60"))

DOC_COLUMNS = ("doc_id", "name", "title", "source", "url", "published", "ingested_at", "encoding", "text",
               "extractor_version")
CLAIM_FIELDS = tuple(f for f in FIELDS if f != "doc")  # the Claim fields stored as claims columns
CLAIM_COLUMNS = ("claim_id", "doc_id", "extractor_version") + CLAIM_FIELDS + ("period_start",)
class StoreError(Exception):
    """The store cannot do what was asked; the message says why."""


class StoreLocked(StoreError):
    """Another process holds the store's write lock past the timeout."""


_PATHS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def db_path(con) -> str | None:
    """The file of the store a connection (or cursor) writes to; None for an in-memory store."""
    path = _PATHS.get(con, False)
    if path is False:  # asked once per connection object: a connection never changes its file
        path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                           ).fetchone()[0] or None
        _PATHS[con] = path
    return path


def default_path() -> Path:
    """The store file: $ATLAS_DB, else data/atlas.duckdb beside this module."""
    env = os.environ.get("ATLAS_DB")
    return Path(env) if env else Path(__file__).with_name("atlas.duckdb")


def connect(path=None, read_only: bool = False, lock_timeout: float | None = None):
    """A DuckDB connection to the store, schema created or migrated; waits for another writer's lock."""
    path = Path(path) if path is not None else default_path()
    timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    if read_only:
        if not path.exists():
            connect(path, read_only=False, lock_timeout=timeout).close()
        con = _open(path, True, timeout)
        version = _stored_version(con)
        if version == SCHEMA_VERSION:
            return con
        con.close()
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path}: store schema version {version} is newer than this code's "
                             f"({SCHEMA_VERSION}); update the code")
        connect(path, read_only=False, lock_timeout=timeout).close()
        return _open(path, True, timeout)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, False, timeout)
    try:
        _migrate(con, path)
        no_vacuum(con)
    except BaseException:
        con.close()
        raise
    from . import facts

    facts.mark_ready(con)  # schema v4: the store holds the fact tables
    return con


def _open(path: Path, read_only: bool, timeout: float):
    deadline = time.monotonic() + timeout
    delay, told = 0.05, False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.ConnectionException as err:
            if "different configuration" not in str(err):
                raise StoreError(f"{path}: {err}") from None
            if read_only:
                # This process already has the store open for writing; that connection can read too.
                return duckdb.connect(str(path), read_only=False)
            raise StoreError(f"{path} is open read-only in this process; close those connections "
                             "before writing") from None
        except duckdb.IOException as err:
            if "lock" not in str(err).lower():
                raise StoreError(f"{path}: {err}") from None
            holder = re.search(r"\(PID (\d+)\)", str(err))
            who = f"process {holder.group(1)}" if holder else "another process"
            if time.monotonic() >= deadline:
                raise StoreLocked(f"{path} is locked by {who} (another ingest or the dashboard writing); "
                                  f"gave up after {timeout:g} s — try again when it has finished, "
                                  "or raise --lock-timeout / ATLAS_LOCK_TIMEOUT") from None
            if not told:
                print(f"waiting up to {timeout:g} s for {path}, locked by {who} ...", file=sys.stderr)
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _stored_version(con) -> int:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0


def _migrate(con, path: Path) -> None:
    version = _stored_version(con)
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: store schema version {version} is newer than this code's "
                         f"({SCHEMA_VERSION}); update the code")
    with transaction(con):
        old_claims = _constrained_claims(con)
        if old_claims:
            con.execute("ALTER TABLE claims RENAME TO claims_before_v3")
        con.execute(_SCHEMA_SQL)
        _fact_tables(con)
        if old_claims:
            # Names read from the catalogue just above, not input.
            quoted = ", ".join(f'"{c}"' for c in old_claims)
            con.execute(f"INSERT INTO claims ({quoted}) SELECT {quoted} FROM claims_before_v3")
            con.execute("DROP TABLE claims_before_v3")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def _fact_tables(con) -> None:
    """v4: the fact layer's tables (data/facts.py, data/dedupe.py), made with the store."""
    from . import dedupe, facts

    keyed = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() "
                        "AND table_name = 'doc_groups' AND constraint_type = 'PRIMARY KEY'").fetchone()[0]
    if keyed:  # v3's doc_groups had a PRIMARY KEY: rebuilt without it, rows kept
        con.execute("ALTER TABLE doc_groups RENAME TO doc_groups_before_v4")
    facts.ensure_schema(con)
    if keyed:
        con.execute("INSERT INTO doc_groups SELECT doc_id, group_id, signature FROM doc_groups_before_v4")
        con.execute("DROP TABLE doc_groups_before_v4")
    facts.drop_member_copies(con)
    # No grouped documents, no signatures of an older hash to re-sign: record the current one, which
    # the first grouping would otherwise look up and write in the first batch of an ingest.
    if con.execute("SELECT count(*) FROM doc_groups").fetchone()[0] == 0:
        dedupe.record_signature_hash(con)


def _constrained_claims(con) -> list[str]:
    """The columns of a claims table from before v3 (one with a key or foreign key), else []: v3 drops
    those constraints, which DuckDB cannot do in place, so the table is rebuilt."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() "
        "AND table_name = 'claims' AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')").fetchone()[0]
    if not found:
        return []
    return [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND table_name = 'claims' ORDER BY column_index").fetchall()]


def schema_version(con) -> int:
    """The schema version recorded in the store."""
    return _stored_version(con)


def normalise_text(text: str) -> str:
    """The form of an article's text that its id hashes: NFC, LF newlines, outer whitespace trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.strip()


def doc_id(text: str) -> str:
    """The document id: sha256 hex of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def period_start(period: str | None) -> date | None:
    """First day of an ISO period (`2026`, `2026-03`, `2017-01/2017-09`, `2026-03-06`); None if unparsable."""
    if not period:
        return None
    head = period.split("/", 1)[0]
    try:
        if len(head) == 4:
            return date(int(head), 1, 1)
        if len(head) == 7:
            return date(int(head[:4]), int(head[5:7]), 1)
        return date.fromisoformat(head)
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@contextmanager
def transaction(con, own: bool = True):
    """Run the block in one transaction: committed if it ends, rolled back if it raises.

    `own=False` runs it inside a transaction the caller holds (nothing begun or ended here)."""
    if not own:
        yield
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def write_document(con, source, claims, extractor_version: str | None = None, replace: bool = False) -> bool:
    """Store one document and its claims in one transaction; False if its text is already stored."""
    return write_documents(con, [(source, claims)], extractor_version, replace)[0] is not None


@gc_paused
def write_documents(con, items, extractor_version: str | None = None, replace: bool = False,
                    signatures: dict[str, bytes] | None = None) -> list[str | None]:
    """Store whole documents with their claims in one transaction; per item "new", "replaced" or None.

    `items` holds (source, claims) or (source, claims, doc_id) tuples.  A document whose text is already
    stored is skipped (False) unless `replace`, which swaps in the new claims, keeping the ids (and so
    the reviews) of claims found again at the same span.  `signatures` (doc id → near-duplicate
    signature, data/dedupe.py) spares the fact layer computing those the workers made already.
    """
    if extractor_version is None:
        from indicators import EXTRACTOR_VERSION as extractor_version
    items = list(items)
    ids = [it[2] if len(it) > 2 else doc_id(it[0].text) for it in items]
    with transaction(con):
        stored, state = _stored_and_state(con, ids)
        seen: set[str] = set()
        new_docs, redo_docs, written = [], [], []
        for (source, claims, *_), did in zip(items, ids):
            if did in seen or (did in stored and not replace):
                written.append(None)
                continue
            seen.add(did)
            (redo_docs if did in stored else new_docs).append((did, source, claims))
            written.append("replaced" if did in stored else "new")
        if new_docs:
            _insert_documents(con, new_docs, extractor_version)
        keep = _replace_claims_prepare(con, redo_docs, extractor_version) if redo_docs else {}
        rows = _insert_claims(con, new_docs + redo_docs, extractor_version, keep)
        if new_docs or redo_docs:
            from . import facts  # the fact layer is kept with the claims, in the same transaction

            # New documents' claims are handed over as written; re-extracted ones may carry reviews,
            # so the fact layer reads those back through claims_reviewed.
            fresh = facts.claim_records(CLAIM_COLUMNS, rows, [d for d, _, _ in new_docs])
            facts.update_facts(con, [d for d, _, _ in new_docs + redo_docs], transaction=False, claims=fresh,
                               signatures=_signed(new_docs, signatures), state=state)
    return written


def _stored_and_state(con, ids: list[str]) -> tuple[set[str], tuple | None]:
    """`stored_among(ids)`, and what the fact layer reads first (whether any review exists, rows of
    doc_groups), in one statement once the fact tables are known to exist (else None)."""
    from . import facts

    # Each statement costs about a millisecond however little it reads: at batches of 20 documents
    # this one was a tenth of the fact layer's cost.  Nothing this transaction writes before
    # update_facts touches reviews or doc_groups, so the counts read here are still those it would read.
    if not facts.tables_ready(con):
        return stored_among(con, ids), None
    found, reviewed, grouped = con.execute(
        "SELECT (SELECT list(doc_id) FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))), "
        "EXISTS (SELECT 1 FROM reviews), (SELECT count(*) FROM doc_groups)", [ids]).fetchone()
    return set(found or ()), (reviewed, grouped)


def _signed(docs, signatures: dict | None) -> dict:
    """Near-duplicate signatures of new documents: those handed over, the rest made here from the text in
    hand, all at once (dedupe.signatures_bytes), rather than one by one from the text read back."""
    from . import dedupe

    signatures = signatures or {}
    todo = [(did, s.text) for did, s, _ in docs if did not in signatures]
    if todo:  # a copy only then: the caller's dict may hold far more than this batch
        signatures = {**signatures, **dict(zip([d for d, _ in todo], dedupe.signatures_bytes([t for _, t in todo])))}
    return signatures


def _insert_documents(con, docs, version: str) -> None:
    import pyarrow as pa

    now = _now()
    cols = {c: [] for c in DOC_COLUMNS}
    for did, s, _ in docs:
        for c, v in zip(DOC_COLUMNS, (did, s.name, s.title, s.path, s.url, s.published, now, s.encoding,
                                      s.text, version)):
            cols[c].append(v)
    table = pa.table(cols, schema=pa.schema([
        ("doc_id", pa.string()), ("name", pa.string()), ("title", pa.string()), ("source", pa.string()),
        ("url", pa.string()), ("published", pa.date32()), ("ingested_at", pa.timestamp("us")),
        ("encoding", pa.string()), ("text", pa.string()), ("extractor_version", pa.string())]))
    insert_arrow(con, "documents", table)


def _replace_claims_prepare(con, docs, version: str) -> dict:
    """Update re-extracted documents and drop their old claims; old ids by (doc, start, end, quote)."""
    ids = [d[0] for d in docs]
    keep: dict[tuple, int] = {}
    for cid, did, start, end, quote in con.execute(
            'SELECT claim_id, doc_id, start, "end", quote FROM claims '
            "WHERE doc_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY claim_id", [ids]).fetchall():
        keep.setdefault((did, start, end, quote), cid)
    con.execute("DELETE FROM claims WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    con.executemany(
        "UPDATE documents SET name = ?, title = coalesce(?, title), source = ?, url = coalesce(?, url), "
        "published = coalesce(?, published), encoding = ?, extractor_version = ? WHERE doc_id = ?",
        [[s.name, s.title, s.path, s.url, s.published, s.encoding, version, did] for did, s, _ in docs])
    return keep


def _insert_claims(con, docs, version: str, keep: dict) -> list[tuple]:
    """Insert the documents' claims; the rows written, in CLAIM_COLUMNS order, each with its claim id."""
    import pyarrow as pa

    fields = CLAIM_FIELDS
    at = {f: i for i, f in enumerate(fields)}
    span, period_at = (at["start"], at["end"], at["quote"]), at["period"]
    starts: dict = {}
    rows = []
    for did, _, claims in docs:
        for claim in claims:
            # Claims come as Claim records, or as tuples in CLAIM_FIELDS order from extraction workers.
            values = claim if isinstance(claim, tuple) else tuple(getattr(claim, f) for f in fields)
            reused = keep.pop((did, *(values[i] for i in span)), None) if keep else None
            period = values[period_at]
            if period not in starts:
                starts[period] = period_start(period)
            rows.append((reused, did, version, *values, starts[period]))
    if not rows:
        return rows
    missing = sum(r[0] is None for r in rows)
    if missing:
        # Ids drawn here, not by the INSERT, so that the caller knows them (the fact layer takes the
        # claims as written instead of reading them back); ascending in document order, as before.
        ids = iter(sorted(r[0] for r in con.execute(
            "SELECT nextval('claim_ids') FROM range(?)", [missing]).fetchall()))
        rows = [r if r[0] is not None else (next(ids), *r[1:]) for r in rows]
    columns = list(zip(*rows))  # one transpose beats a million appends
    table = pa.table(dict(zip(CLAIM_COLUMNS, columns)), schema=_claims_schema())
    insert_arrow(con, "claims", table)
    return rows


def _claims_schema():
    import pyarrow as pa

    types = {"claim_id": pa.int64(), "start": pa.int32(), "end": pa.int32(), "occurrence": pa.int32(),
             "value": pa.float64(), "value_high": pa.float64(), "value_canonical": pa.float64(),
             "lat": pa.float64(), "lon": pa.float64(), "period_start": pa.date32()}
    return pa.schema([(c, types.get(c, pa.string())) for c in CLAIM_COLUMNS])


def stored_among(con, ids: list[str]) -> set[str]:
    """Those of `ids` already stored."""
    return {r[0] for r in con.execute(
        "SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()}


def count(con, table: str) -> int:
    """Rows in `documents`, `claims` or `reviews`."""
    if table not in ("documents", "claims", "reviews"):
        raise ValueError(f"no table {table!r}")
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def doc_ids_to_extract(con, version: str | None) -> list[str]:
    """Ids of stored documents read by another extractor version than `version` (all if None)."""
    return [r[0] for r in con.execute(
        "SELECT doc_id FROM documents WHERE ?::VARCHAR IS NULL OR extractor_version IS DISTINCT FROM ? "
        "ORDER BY ingested_at, doc_id", [version, version]).fetchall()]


def load_sources(con, ids: list[str]) -> list:
    """Stored documents as reader Sources, in the order of `ids`."""
    from indicators.reader import Source

    rows = con.execute("SELECT doc_id, name, source, text, published, url, title, encoding FROM documents "
                       "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()
    by_id = {r[0]: Source(name=r[1], path=r[2] or r[1], text=r[3], published=r[4], url=r[5], title=r[6],
                          encoding=r[7]) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def export_frame(con, province: str | None = None, sector: str | None = None, since: date | None = None,
                 include_rejected: bool = False):
    """Reviewed claims with their quotes and sources, as a pandas DataFrame, for `export`."""
    return con.execute(
        "SELECT c.claim_id, c.doc_id, d.name AS doc, d.title, d.source, d.url, d.published, "
        "c.quote, c.occurrence, c.start, c.\"end\", c.value, c.value_high, c.unit, c.value_canonical, "
        "c.unit_canonical, c.kind, c.direction, c.approx, c.indicator, c.sector, c.period, c.period_start, "
        "c.place, c.province, c.adcode, c.place_level, c.lat, c.lon, c.sentence, c.extractor_version, "
        "c.review_status, c.rejected, c.reviewed_at, c.review_note, "
        "array_to_string(c.corrected_fields, ',') AS corrected_fields "
        "FROM claims_reviewed c JOIN documents d USING (doc_id) "
        "WHERE (? IS NULL OR c.province = ? OR starts_with(c.province, ?)) "
        "AND (? IS NULL OR c.sector = ?) "
        "AND (? IS NULL OR coalesce(c.period_start, d.published) >= ?) "
        "AND (? OR NOT c.rejected) "
        "ORDER BY d.published NULLS LAST, c.doc_id, c.start, c.claim_id",
        [province, province, province, sector, sector, since, since, include_rejected]).df()
