"""The fact layer: claims that state one quantity (same indicator, place, period, kind, unit) are one fact.

A fact key is (canonical indicator, adcode — or the place name when the claim has no adcode —,
period, kind, unit).  Claims without an indicator, a period or any place are left out of facts:
without them two articles cannot be said to state the same quantity.  Rejected claims are left
out too; corrected claims count with their corrections (the facts read `claims_reviewed`).

Values agree within rounding (data/agreement.py: each claim stands for the interval of true
values its quote allows).  A key whose claims do not all agree is a `conflict` fact
holding every value and quote — unless one document itself gives the key several values (the
extractor's indicator is then too coarse, e.g. 进出口 with each trading partner); such a key is
split into one fact per value and marked `ambiguous`, as its disagreement says nothing about
its sources.  Independent sources are the distinct near-duplicate groups (data/dedupe.py) of a
fact's documents.
"""
from __future__ import annotations

import weakref
from collections import Counter
from datetime import datetime, timezone
from functools import cache
from operator import itemgetter

from . import agreement, dedupe, store
from .agreement import CHANGE_KINDS
from .bulk import insert_arrow
# The fact key lives in data/fact_keys.py; its names stay reachable here, where the fact API is.
from .fact_keys import SYNONYMS_PATH, SynonymError, canonical_indicator, digest, fact_key, key_id, synonyms  # noqa: F401


FACT_COLUMNS = ("fact_id", "key_id", "indicator", "adcode", "place", "province", "period", "period_start",
                "kind", "unit", "direction", "sector", "value", "value_high", "approx", "status", "ambiguous",
                "n_values", "value_list", "n_claims", "n_documents", "n_sources", "lat", "lon", "updated_at")
MEMBER_COLUMNS = ("fact_id", "key_id", "claim_id", "doc_id", "group_id", "value_cluster")
# What `fact_members` (the function) gives per member: the stored columns, then the claim's own as reviewed.
# Since schema v4 the table no longer copies them: each copied column cost every batch's insert about
# 0.04 ms (and its Arrow column), and the claim (claims_reviewed) holds them anyway.
MEMBER_CLAIM_COLUMNS = ("value", "value_high", "unit", "direction", "approx", "quote", "indicator")

# No PRIMARY KEY: update_facts deletes and re-inserts the same ids in one transaction, which DuckDB's
# unique indexes handle poorly; ids are unique by construction (fact_id hashes the key and value).
DDL = """
CREATE TABLE IF NOT EXISTS facts (
    fact_id      VARCHAR NOT NULL,    -- stable: hash of the key (and of the value when split)
    key_id       VARCHAR NOT NULL,    -- hash of the key
    indicator    VARCHAR NOT NULL,    -- canonical name (data/indicator_synonyms.yaml)
    adcode       VARCHAR,
    place        VARCHAR,
    province     VARCHAR,
    period       VARCHAR NOT NULL,
    period_start DATE,
    kind         VARCHAR NOT NULL,
    unit         VARCHAR NOT NULL,
    direction    VARCHAR,             -- of the agreed value; NULL in a conflict
    sector       VARCHAR,
    value        DOUBLE,              -- the agreed value (most precise statement); NULL in a conflict
    value_high   DOUBLE,
    approx       VARCHAR,
    status       VARCHAR NOT NULL,    -- agreed | conflict
    ambiguous    BOOLEAN NOT NULL,    -- the key was split: one document gives it several values
    n_values     INTEGER NOT NULL,    -- distinct values (1 unless conflict)
    value_list   DOUBLE[] NOT NULL,   -- each distinct value (signed: falls are negative)
    n_claims     INTEGER NOT NULL,
    n_documents  INTEGER NOT NULL,
    n_sources    INTEGER NOT NULL,    -- independent sources: near-duplicate groups
    lat          DOUBLE,
    lon          DOUBLE,
    updated_at   TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS fact_members (
    fact_id       VARCHAR NOT NULL,
    key_id        VARCHAR NOT NULL,
    claim_id      BIGINT NOT NULL,
    doc_id        VARCHAR NOT NULL,
    group_id      VARCHAR NOT NULL,
    value_cluster INTEGER NOT NULL    -- which of the fact's values this claim states (0-based)
);
"""

CLAIM_FIELDS = ("claim_id", "doc_id", "quote", "value", "value_high", "unit", "kind", "direction", "approx",
                "indicator", "sector", "period", "period_start", "place", "province", "adcode", "lat", "lon")
_FLOATS = ("value", "value_high", "lat", "lon")  # DOUBLE columns: as read back, whatever the writer held
_CLAIM_SQL = f"SELECT {', '.join(CLAIM_FIELDS)} FROM {{table}} WHERE {{where}} ORDER BY claim_id"


def _most_common(values: list):
    values = [v for v in values if v is not None]
    if len(values) < 3:  # most facts have one claim; with two, the first is the most common either way
        return values[0] if values else None
    return Counter(values).most_common(1)[0][0]


def build_facts(key: tuple, members: list[dict], groups: dict[str, str], now: datetime):
    """The fact rows (dicts) and member rows (tuples in MEMBER_COLUMNS order) of one key's claims."""
    if len(members) == 1:
        return _single(key, members[0], groups, now)
    return _general(key, members, groups, now)


_SPAN = itemgetter("quote", "value", "value_high", "approx", "direction", "kind")
# A member row's columns from the claim: those after fact_id and key_id, but for group_id and value_cluster.
_MEMBER_OF = itemgetter("claim_id", "doc_id")


def _general(key: tuple, members: list[dict], groups: dict[str, str], now: datetime):
    interval = agreement.interval
    for m in members:
        quote, value, high, approx, direction, kind = _SPAN(m)  # agreement.span, without its lookups
        m["_span"] = interval(quote, value, high, approx or "exact", direction, kind)
    clusters = agreement.clusters(members)
    ambiguous = False
    if len(clusters) > 1:
        by_doc: dict[str, int] = {}
        for i, cl in enumerate(clusters):
            for m in cl:
                if by_doc.setdefault(m["doc_id"], i) != i:
                    ambiguous = True
    kid = key_id(key)
    parts = [[cl] for cl in clusters] if ambiguous else [clusters]
    facts, rows, used = [], [], set()
    adcode = None if key[1].startswith("place:") else key[1]
    for part in parts:
        best = [agreement.best(cl) for cl in part]
        value_list = [_signed(b) for b in best]
        fact_id = digest(kid, repr(value_list[0])) if ambiguous else kid
        while fact_id in used:  # two split values with one best value: keep ids distinct, deterministically
            fact_id = digest(fact_id, "again")
        used.add(fact_id)
        every = [m for cl in part for m in cl] if len(part) > 1 else part[0]
        docs = [m["doc_id"] for m in every]
        agreed = len(part) == 1
        head = best[0] if agreed else {}
        lat = next((m for m in every if m["lat"] is not None), None)
        facts.append({
            "fact_id": fact_id, "key_id": kid, "indicator": key[0], "adcode": adcode,
            "place": _most_common([m["place"] for m in every]),
            "province": _most_common([m["province"] for m in every]),
            "period": key[2], "period_start": _most_common([m["period_start"] for m in every]),
            "kind": key[3], "unit": key[4], "direction": head.get("direction"),
            "sector": _most_common([m["sector"] for m in every]),
            "value": head.get("value"), "value_high": head.get("value_high"), "approx": head.get("approx"),
            "status": "agreed" if agreed else "conflict", "ambiguous": ambiguous, "n_values": len(part),
            "value_list": value_list, "n_claims": len(every), "n_documents": len(set(docs)),
            "n_sources": len({groups.get(d, d) for d in docs}),
            "lat": None if lat is None else lat["lat"], "lon": None if lat is None else lat["lon"],
            "updated_at": now})
        for i, cl in enumerate(part):
            for m in cl:
                cid, did = _MEMBER_OF(m)
                rows.append((fact_id, kid, cid, did, groups.get(did, did), i))
    return facts, rows


def _member(fact_id: str, kid: str, m: dict, group: str, cluster: int) -> tuple:
    cid, did = _MEMBER_OF(m)
    return (fact_id, kid, cid, did, group, cluster)


def _single(key: tuple, m: dict, groups: dict[str, str], now: datetime):
    # What the general path makes of a key with one claim (most keys), without its intervals: one
    # value, agreed, from one source.
    kid, group = key_id(key), groups.get(m["doc_id"], m["doc_id"])
    fact = {"fact_id": kid, "key_id": kid, "indicator": key[0], "adcode": None if key[1].startswith("place:") else key[1],
            "place": m["place"], "province": m["province"], "period": key[2], "period_start": m["period_start"],
            "kind": key[3], "unit": key[4], "direction": m["direction"], "sector": m["sector"], "value": m["value"],
            "value_high": m["value_high"], "approx": m["approx"], "status": "agreed", "ambiguous": False,
            "n_values": 1, "value_list": [_signed(m)], "n_claims": 1, "n_documents": 1, "n_sources": 1,
            "lat": m["lat"], "lon": m["lon"] if m["lat"] is not None else None, "updated_at": now}
    return [fact], [_member(kid, kid, m, group, 0)]


def _signed(m: dict) -> float:
    return -m["value"] if m.get("direction") == "down" and m["kind"] in CHANGE_KINDS else m["value"]


def ensure_schema(con) -> None:
    """Create the fact tables (and the near-duplicate groups table) when missing."""
    con.execute(DDL + dedupe.DDL)


def drop_member_copies(con) -> None:
    """Schema v4: drop the claim columns `fact_members` copied before (the claims hold them)."""
    con.execute("".join(f"ALTER TABLE fact_members DROP COLUMN IF EXISTS {c};"  # constants, not input
                        for c in MEMBER_CLAIM_COLUMNS))


# What a claim needs to have any chance of a fact key (fact_key decides); the rest need not be read.
_KEYABLE = "indicator IS NOT NULL AND period IS NOT NULL AND (adcode IS NOT NULL OR place IS NOT NULL)"


def claim_records(columns, rows, doc_ids=None) -> dict[str, list[dict]]:
    """Claims as the store just wrote them (tuples in `columns` order, claim ids set) → per document, the
    records `update_facts(claims=...)` takes; only those that can join a fact, `doc_ids` only if given."""
    at = [columns.index(c) for c in CLAIM_FIELDS]
    ind, per, adc, pla, doc = (columns.index(c) for c in ("indicator", "period", "adcode", "place", "doc_id"))
    out: dict[str, list[dict]] = {d: [] for d in doc_ids} if doc_ids is not None else {}
    for row in rows:
        if row[ind] is None or row[per] is None or (row[adc] is None and row[pla] is None):
            continue
        if doc_ids is not None and row[doc] not in out:
            continue
        rec = dict(zip(CLAIM_FIELDS, [row[i] for i in at]))
        for f in _FLOATS:  # an int from the extractor reads back as a float: the fact ids hash repr(value)
            if rec[f] is not None:
                rec[f] = float(rec[f])
        out.setdefault(row[doc], []).append(rec)
    return out


def _claims(con, where: str, params, reviewed: bool) -> list[dict]:
    # claims_reviewed applies every review; with none recorded the plain table says the same, faster.
    table, where = ("claims_reviewed", f"NOT rejected AND {where}") if reviewed else ("claims", where)
    cur = con.execute(_CLAIM_SQL.format(table=table, where=where), params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _by_ids(con, column: str, ids, reviewed: bool, keyable: bool = False) -> list[dict]:
    # `column` is one of this module's constants (doc_id, claim_id); the ids are bound.
    kind = "VARCHAR" if column == "doc_id" else "BIGINT"
    where = f"{column} IN (SELECT unnest(?::{kind}[]))" + (f" AND {_KEYABLE}" if keyable else "")
    return _claims(con, where, [list(ids)], reviewed) if ids else []


_READY: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # connections known to hold the tables


def tables_ready(con) -> bool:
    """Whether the fact tables are known to exist in `con`'s store (it has updated facts before, or
    store.connect opened it: schema v4 holds them)."""
    return con in _READY


def mark_ready(con) -> None:
    """Record that `con`'s store holds the fact tables (store.connect, after its migration)."""
    _READY[con] = True


def update_facts(con, doc_ids, transaction: bool = True, claims: dict | None = None,
                 signatures: dict | None = None, state: tuple | None = None) -> dict:
    """Recompute the facts the given documents' claims belong to (or belonged to); counts of what changed.

    The store's writer hands over what it holds already: `claims`, per document written in this very
    transaction, its claims as `claim_records` makes them (new claims: no review names them yet, and
    no fact holds them), so they are not read back; `signatures`, per document, near-duplicate
    signatures the extraction workers made; `state`, when `tables_ready`, (whether any review
    exists, rows of doc_groups) as read earlier in the same transaction by one of its own statements.
    """
    docs = set(doc_ids)
    if not docs:
        return {"documents": 0, "keys": 0, "facts": 0}
    with store.transaction(con, own=transaction):
        # One round trip: whether any review applies, and how many documents are grouped.  The fact
        # tables' existence is checked once per connection (the catalogue lookup costs more than the
        # rest), and not at all on one store.connect opened (schema v4 made them): a store from before
        # the fact layer opened otherwise gets them on its first update.  (So dropping them under such
        # a connection, or one that has updated facts, makes its next update fail, rolled back.)
        if con in _READY and state is not None:
            reviewed, grouped = state
        elif con in _READY:
            reviewed, grouped = con.execute(
                "SELECT EXISTS (SELECT 1 FROM reviews), (SELECT count(*) FROM doc_groups)").fetchone()
        else:
            reviewed, tables = con.execute(
                "SELECT EXISTS (SELECT 1 FROM reviews), (SELECT count(*) FROM duckdb_tables() WHERE "
                "database_name = current_database() AND table_name IN ('facts', 'fact_members', 'doc_groups'))"
            ).fetchone()
            if tables < 3:
                ensure_schema(con)
            _READY[con], grouped = True, None
        given = {d: c for d, c in (claims or {}).items() if d in docs}
        stats = _update(con, docs, given, reviewed, signatures or {}, grouped)
    return stats


def _update(con, docs: set, given: dict, reviewed: bool, signatures: dict, grouped: int | None) -> dict:
    from . import fact_state

    if not reviewed and given.keys() == docs:  # new documents only, no reviews: kept state, no re-reading
        return fact_state.update(con, given, signatures, grouped)
    fact_state.forget(con)  # what follows changes facts the kept states do not follow
    while True:
        # The documents' own claims that can join a fact (the others drop out of facts anyway).
        seen = docs - given.keys()  # documents that may be in facts already (not written just now)
        own = [c for cs in given.values() for c in cs] + _by_ids(con, "doc_id", seen, reviewed, keyable=True)
        keyed = [(fact_key(c), c) for c in own]
        keys = {key_id(k) for k, _ in keyed if k}
        # One read of the members of every touched key: the keys these claims join now, and those the
        # documents' claims were in before (none for documents written just now).
        where, params = "key_id IN (SELECT unnest(?::VARCHAR[]))", [list(keys)]
        if seen:
            where += " OR key_id IN (SELECT key_id FROM fact_members WHERE doc_id IN (SELECT unnest(?::VARCHAR[])))"
            params.append(list(seen))
        members = con.execute(f"SELECT key_id, doc_id, claim_id, group_id, fact_id, value_cluster FROM fact_members "
                              f"WHERE {where}", params).fetchall()
        touched = keys | {m[0] for m in members if m[1] in docs}
        old = {m[2]: m for m in members if m[1] not in docs}
        others = [(fact_key(c), c) for c in _by_ids(con, "claim_id", sorted(old), reviewed)]
        # A claim reviewed into another key since its document was last seen: take its document in too.
        stale = {c["doc_id"] for k, c in others if k is None or key_id(k) not in touched} - docs
        if not stale:
            break
        docs |= stale
    # Groups never move once given, so the other documents' are those their member rows hold.
    groups = {m[1]: m[3] for m in members if m[1] not in docs}
    if seen:
        groups.update(dedupe.assign_groups(con, seen, signatures))
        grouped = None
    if given:  # written in this transaction, so one ingest time: placed in doc id order, as a rebuild does
        groups.update(dedupe.place(con, [(d, signatures.get(d)) for d in sorted(given)], grouped))
    facts, rows = _build(keyed + others, groups)
    stored = list({m[0] for m in members})  # facts exist only for keys with members
    if stored:
        con.execute("DELETE FROM facts WHERE key_id IN (SELECT unnest(?::VARCHAR[]))", [stored])
        con.execute("DELETE FROM fact_members WHERE key_id IN (SELECT unnest(?::VARCHAR[]))", [stored])
    _insert_rows(con, facts, rows)
    return {"documents": len(docs), "keys": len(touched), "facts": len(facts)}


def _build(keyed: list[tuple], groups: dict[str, str]) -> tuple[list[dict], list[tuple]]:
    by_key: dict[tuple, list[dict]] = {}
    for k, c in keyed:
        if k is not None:
            by_key.setdefault(k, []).append(c)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    facts, rows = [], []
    for k in sorted(by_key):
        f, r = build_facts(k, by_key[k], groups, now)
        facts += f
        rows += r
    return facts, rows


def _insert_rows(con, facts: list[dict], rows: list[tuple]) -> None:
    if facts:
        _insert(con, "facts", [list(map(itemgetter(c), facts)) for c in FACT_COLUMNS])
    if rows:
        _insert(con, "fact_members", list(zip(*rows)))


@cache
def _arrow_schema(table: str):
    # The tables' own column types (DDL above), rather than pyarrow's guesses from the values: no pass
    # to infer them, no cast by DuckDB (corpus, batches of 20: update_facts CPU 43.7 -> 40.7 ms).
    import pyarrow as pa

    f64, i32 = pa.float64(), pa.int32()
    types = {"period_start": pa.date32(), "value": f64, "value_high": f64, "ambiguous": pa.bool_(), "n_values": i32,
             "value_list": pa.list_(f64), "n_claims": i32, "n_documents": i32, "n_sources": i32, "lat": f64,
             "lon": f64, "updated_at": pa.timestamp("us"), "claim_id": pa.int64(), "value_cluster": i32}
    columns = FACT_COLUMNS if table == "facts" else MEMBER_COLUMNS
    return pa.schema([(c, types.get(c, pa.string())) for c in columns])


def _insert(con, table: str, values: list) -> None:
    import pyarrow as pa

    insert_arrow(con, table, pa.table(values, schema=_arrow_schema(table)))


def rebuild_facts(con) -> dict:
    """Recompute every fact, and every near-duplicate group, from the claims in one transaction."""
    from . import fact_state

    fact_state.forget(con)
    with store.transaction(con):
        ensure_schema(con)
        con.execute("DELETE FROM fact_members")
        con.execute("DELETE FROM facts")
        dedupe.clear_groups(con)
        groups = dedupe.assign_groups(con, [r[0] for r in con.execute(
            "SELECT doc_id FROM documents ORDER BY ingested_at, doc_id").fetchall()])
        claims = _claims(con, "TRUE", [], con.execute("SELECT EXISTS (SELECT 1 FROM reviews)").fetchone()[0])
        facts, rows = _build([(fact_key(c), c) for c in claims], groups)
        _insert_rows(con, facts, rows)
    return {"documents": len(groups), "claims": len(claims), "facts": len(facts)}


def has_facts(con) -> bool:
    """Whether the store holds the fact tables (a read-only store opened before issue 6 does not)."""
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('facts', 'fact_members')"
                       ).fetchone()[0] == 2


def facts_frame(con, conflicts_only: bool = False, province: str | None = None, indicator: str | None = None,
                period: str | None = None, kind: str | None = None, limit: int | None = None):
    """Facts as a pandas DataFrame, most-sourced first; filters: conflicts, province (prefix), indicator, ..."""
    import pandas as pd

    if not has_facts(con):
        return pd.DataFrame(columns=list(FACT_COLUMNS))
    canonical = canonical_indicator(indicator) if indicator else None
    return con.execute(
        f"SELECT {', '.join(FACT_COLUMNS)} FROM facts "
        "WHERE (NOT ? OR status = 'conflict') "
        "AND (?::VARCHAR IS NULL OR province = ? OR starts_with(province, ?)) "
        "AND (?::VARCHAR IS NULL OR indicator = ?) "
        "AND (?::VARCHAR IS NULL OR period = ?) "
        "AND (?::VARCHAR IS NULL OR kind = ?) "
        "ORDER BY status = 'conflict' DESC, n_sources DESC, n_claims DESC, indicator, period, fact_id "
        "LIMIT ?",
        [conflicts_only, province, province, province, canonical, canonical, period, period, kind, kind,
         limit if limit is not None else 2 ** 62]).df()


def fact_members(con, fact_id: str):
    """The claims of one fact with their quotes and documents, as a pandas DataFrame."""
    import pandas as pd

    if not has_facts(con):
        return pd.DataFrame(columns=[*MEMBER_COLUMNS, *MEMBER_CLAIM_COLUMNS, "doc", "title", "url", "published",
                                     "sentence"])
    # The claim as reviewed: member rows are rewritten whenever a review moves their claim, so the
    # values read here are those the fact was built from.
    return con.execute(
        f"SELECT {', '.join('m.' + c for c in MEMBER_COLUMNS)}, {', '.join('c.' + c for c in MEMBER_CLAIM_COLUMNS)}, "
        "d.name AS doc, d.title, d.url, d.published, c.sentence FROM fact_members m JOIN documents d USING (doc_id) "
        "LEFT JOIN claims_reviewed c ON c.claim_id = m.claim_id "
        "WHERE m.fact_id = ? ORDER BY m.value_cluster, d.published NULLS LAST, m.doc_id, m.claim_id",
        [fact_id]).df()


def summary(con) -> dict:
    """Claims, claims in facts, facts, conflicts, ambiguous keys and near-duplicate groups in the store."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM fact_members), (SELECT count(*) FROM facts), "
        "(SELECT count(*) FROM facts WHERE status = 'conflict'), "
        "(SELECT count(DISTINCT key_id) FROM facts WHERE ambiguous), "
        "(SELECT count(*) FROM facts WHERE n_sources > 1), "
        "(SELECT count(*) FROM doc_groups), (SELECT count(DISTINCT group_id) FROM doc_groups)").fetchone()
    return dict(zip(("claims", "claims_in_facts", "facts", "conflicts", "ambiguous_keys", "multi_source_facts",
                     "documents", "groups"), row))
