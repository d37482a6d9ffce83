"""Every read query of the dashboard: parameterised DuckDB SQL over the store, results as DataFrames.

Pages never write SQL; they call these functions with a connection and a `Filters`.
Aggregations run in DuckDB so that a page never pulls the whole claims table into pandas.
"""
from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

CLAIMS = "claims_reviewed"  # the store's view: claims with the latest review applied
MAX_ROWS = 100_000  # cap on rows any single query hands to the UI (tables, exports)
HIT_SETS = 16  # full-text search results kept (claim ids per search), newest first

TABLE_COLUMNS = ("claim_id", "value", "unit", "kind", "indicator", "place", "period", "sector",
                 "quote", "title", "published", "review_status", "doc_id")
EXPORT_COLUMNS = ("claim_id", "indicator", "value", "value_high", "unit", "kind", "direction", "approx",
                  "value_canonical", "unit_canonical", "place", "province", "adcode", "period",
                  "sector", "quote", "sentence", "review_status", "title", "published", "url",
                  "source", "doc_id", "start", "end")


@dataclass(frozen=True)
class Filters:
    """The shared sidebar's selection; every field narrows the claims, empty means no limit."""

    adcode: str | None = None          # province, city or county code: claims at or below it
    sectors: tuple[str, ...] = ()
    indicator: str = ""                # substring of the indicator name
    kinds: tuple[str, ...] = ()
    period_from: int | None = None     # reference-period years, inclusive
    period_to: int | None = None
    published_from: date | None = None
    published_to: date | None = None
    source: str = ""                   # substring of the document title, name, source or URL
    search: str = ""                   # full-text over quote, sentence, indicator and place
    statuses: tuple[str, ...] = field(default=("unreviewed", "confirmed", "corrected"))
    conflicts: bool = False            # only claims of facts whose sources disagree (when facts exist)

    def narrowed(self, **changes) -> "Filters":
        """A copy with some fields changed."""
        return replace(self, **changes)


def adcode_prefix(adcode: str) -> str:
    """The significant prefix of an admin code: 310000 → 31, 310100 → 3101, 310104 → 310104."""
    code = str(adcode).strip()
    if not code.isdigit() or len(code) != 6:
        raise ValueError(f"admin code {adcode!r} is not six digits")
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


_hits: dict[str, object] = {}
_hits_lock = threading.Lock()


def _text_match(word: str) -> tuple[str, list]:
    """A condition that `word` occurs in the sentence (else quote), indicator or place of claim c."""
    # The quote is a substring of its sentence, so the quote is read only where no sentence is stored.
    cols = ("coalesce(c.sentence, c.quote)", "c.indicator", "c.place")
    if word.isascii():  # Latin words (GDP, CPI) match in any case; ILIKE is slower, so only here
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", word) + "%"
        return "(" + " OR ".join(f"{c} ILIKE ? ESCAPE '\\'" for c in cols) + ")", [pattern] * len(cols)
    return "(" + " OR ".join(f"contains({c}, ?)" for c in cols) + ")", [word] * len(cols)


def _search_hits(con, search: str) -> str:
    """The name of a registered table of the claim ids matching every word of `search`.

    One text scan per search and store version; the page's other queries then semi-join the ids,
    so a search costs one scan of the sentences instead of one per query.
    """
    words = tuple(search.lower().split())
    key = hashlib.sha1(repr((id(con), data_version(con), words)).encode("utf-8")).hexdigest()[:16]
    name = f"search_hits_{key}"
    with _hits_lock:
        if name in _hits:
            return name
    conds, params = [], []
    for word in words:
        cond, p = _text_match(word)
        conds.append(cond)
        params += p
    cur = con.cursor()
    try:
        ids = cur.sql(f"SELECT c.claim_id FROM {CLAIMS} c WHERE {' AND '.join(conds)}",
                      params=params).to_arrow_table()
    finally:
        cur.close()
    with _hits_lock:
        _hits[name] = ids
        while len(_hits) > HIT_SETS:
            _hits.pop(next(iter(_hits)))
    return name


def _where(f: Filters, con) -> tuple[str, list]:
    """The WHERE clause and its parameters for a filter; columns are c.* (claims) and d.* (documents)."""
    conds, params = ["TRUE"], []
    if f.adcode:
        conds.append("starts_with(c.adcode, ?)")
        params.append(adcode_prefix(f.adcode))
    if f.sectors:
        conds.append(f"c.sector IN ({_marks(f.sectors)})")
        params += list(f.sectors)
    if f.kinds:
        conds.append(f"c.kind IN ({_marks(f.kinds)})")
        params += list(f.kinds)
    if f.indicator.strip():
        conds.append("contains(lower(coalesce(c.indicator, '')), ?)")
        params.append(f.indicator.strip().lower())
    if f.period_from is not None:
        conds.append("year(c.period_start) >= ?")
        params.append(int(f.period_from))
    if f.period_to is not None:
        conds.append("year(c.period_start) <= ?")
        params.append(int(f.period_to))
    if f.published_from is not None:
        conds.append("d.published >= ?")
        params.append(f.published_from)
    if f.published_to is not None:
        conds.append("d.published <= ?")
        params.append(f.published_to)
    if f.source.strip():
        conds.append("c.doc_id IN (SELECT doc_id FROM documents "
                     "WHERE contains(lower(concat_ws(' ', title, name, source, url)), ?))")
        params.append(f.source.strip().lower())
    if f.search.strip():
        conds.append(f"c.claim_id IN (SELECT claim_id FROM {_search_hits(con, f.search)})")
    if f.statuses:
        conds.append(f"coalesce(c.review_status, 'unreviewed') IN ({_marks(f.statuses)})")
        params += list(f.statuses)
    if f.conflicts and has_facts(con):  # without the fact layer there is nothing to narrow by
        conds.append("c.claim_id IN (SELECT m.claim_id FROM fact_members m JOIN facts x USING (fact_id) "
                     "WHERE x.status = 'conflict')")
    return " AND ".join(conds), params


def _marks(values) -> str:
    """One `?` per value: IN lists stay parameterised (and DuckDB plans IN faster than list_contains)."""
    return ", ".join("?" for _ in values)


def _base(f: Filters, con, docs: bool = False) -> tuple[str, list]:
    """FROM … WHERE for the filtered claims; documents (d) are joined only when a query reads them
    or the filter needs the publication date, which saves a 1M-row join on most aggregates."""
    where, params = _where(f, con)
    if docs or f.published_from is not None or f.published_to is not None:
        return (f"FROM {CLAIMS} c JOIN documents d ON d.doc_id = c.doc_id WHERE {where}", params)
    return (f"FROM {CLAIMS} c WHERE {where}", params)


def _df(con, sql: str, params: list | tuple = ()) -> pd.DataFrame:
    # A cursor per query: Streamlit runs sessions on several threads and a DuckDB
    # connection object must not be shared between threads mid-query.
    cur = con.cursor()
    try:
        _register_hits(cur, sql)
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


def _one(con, sql: str, params: list | tuple = ()):
    cur = con.cursor()
    try:
        _register_hits(cur, sql)
        return cur.execute(sql, list(params)).fetchone()
    finally:
        cur.close()


def _register_hits(cur, sql: str) -> None:
    for name in set(re.findall(r"search_hits_[0-9a-f]{16}", sql)):
        with _hits_lock:
            table = _hits.get(name)
        if table is None:
            raise RuntimeError(f"search result {name} was dropped before use; raise HIT_SETS")
        cur.register(name, table)


def headline(con, f: Filters) -> dict:
    """Documents, claims, places and provinces covered by the filtered claims."""
    base, params = _base(f, con)
    row = _one(con, f"SELECT count(DISTINCT c.doc_id), count(*), count(DISTINCT c.adcode), "
                    f"count(DISTINCT c.province) {base}", params)
    return {"documents": row[0], "claims": row[1], "places": row[2], "provinces": row[3]}


def store_totals(con) -> dict:
    """Unfiltered counts of documents and claims in the store."""
    row = _one(con, f"SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM {CLAIMS})")
    return {"documents": row[0], "claims": row[1]}


def latest_claims(con, f: Filters, n: int = 10) -> pd.DataFrame:
    """The `n` most recently published filtered claims."""
    base, params = _base(f, con, docs=True)
    # Rank on the two sort keys alone, then read the wide columns of the `n` winners only.
    return _df(con, f"WITH top AS (SELECT c.claim_id, d.published, d.title {base} "
                    f"ORDER BY d.published DESC NULLS LAST, c.claim_id DESC LIMIT ?) "
                    f"SELECT top.claim_id, top.published, c.indicator, c.value, c.unit, c.kind, c.place, "
                    f"c.period, c.quote, top.title FROM top JOIN {CLAIMS} c USING (claim_id) "
                    f"ORDER BY top.published DESC NULLS LAST, top.claim_id DESC", params + [int(n)])


def option_ranges(con) -> dict:
    """What the sidebar offers: sectors and kinds present, period years and publication dates."""
    row = _one(con, f"SELECT min(year(c.period_start)), max(year(c.period_start)), "
                    f"min(d.published), max(d.published) "
                    f"FROM {CLAIMS} c JOIN documents d ON d.doc_id = c.doc_id")
    sectors = _df(con, f"SELECT DISTINCT sector FROM {CLAIMS} WHERE sector IS NOT NULL ORDER BY 1")
    kinds = _df(con, f"SELECT DISTINCT kind FROM {CLAIMS} ORDER BY 1")
    return {"period_min": row[0], "period_max": row[1], "published_min": row[2],
            "published_max": row[3], "sectors": sectors["sector"].tolist(),
            "kinds": kinds["kind"].tolist()}


def adcode_counts(con) -> pd.DataFrame:
    """Claims per six-digit admin code over the whole store (the place filter's options)."""
    return _df(con, f"SELECT adcode, count(*) AS claims FROM {CLAIMS} WHERE adcode IS NOT NULL "
                    f"GROUP BY 1 ORDER BY 1")


def region_stats(con, f: Filters, prefix_len: int, indicator: str | None = None) -> pd.DataFrame:
    """Claims per admin-code prefix of `prefix_len` digits (2, 4 or 6), and with `indicator`
    the latest value (by reference period, then publication) and its unit per prefix."""
    if prefix_len not in (2, 4, 6):
        raise ValueError(f"prefix length must be 2, 4 or 6, not {prefix_len}")
    base, params = _base(f, con, docs=bool(indicator))
    if indicator:
        sql = (f"SELECT substr(c.adcode, 1, {prefix_len}) AS prefix, count(*) AS claims, "
               f"arg_max(c.value, (c.period_start, d.published, c.claim_id)) AS latest_value, "
               f"arg_max(c.unit, (c.period_start, d.published, c.claim_id)) AS latest_unit, "
               f"arg_max(c.period, (c.period_start, d.published, c.claim_id)) AS latest_period "
               f"{base} AND c.indicator = ? AND length(c.adcode) = 6 GROUP BY 1")
        params = params + [indicator]
    else:
        sql = (f"SELECT substr(c.adcode, 1, {prefix_len}) AS prefix, count(*) AS claims, "
               f"NULL::DOUBLE AS latest_value, NULL::VARCHAR AS latest_unit, NULL::VARCHAR AS latest_period "
               f"{base} AND length(c.adcode) = 6 GROUP BY 1")
    return _df(con, sql, params)


def markers(con, f: Filters, limit: int = 3000) -> pd.DataFrame:
    """One marker per place with coordinates: its claim count and its latest claim for the tooltip."""
    base, params = _base(f, con, docs=True)
    # Group on narrow columns, then fetch the tooltip text of one claim per place.
    sql = (f"WITH g AS (SELECT c.adcode, any_value(c.place) AS place, avg(c.lat) AS lat, avg(c.lon) AS lon, "
           f"count(*) AS claims, arg_max(c.claim_id, (d.published, c.claim_id)) AS last_id "
           f"{base} AND c.lat IS NOT NULL AND c.lon IS NOT NULL GROUP BY c.adcode "
           f"ORDER BY claims DESC, c.adcode LIMIT ?) "
           f"SELECT g.adcode, g.place, g.lat, g.lon, g.claims, c.value, c.unit, c.indicator, c.quote, c.period "
           f"FROM g JOIN {CLAIMS} c ON c.claim_id = g.last_id ORDER BY g.claims DESC, g.adcode")
    return _df(con, sql, params + [int(limit)])


def top_indicators(con, f: Filters, n: int = 200) -> pd.DataFrame:
    """The most frequent indicators among the filtered claims, with their counts."""
    base, params = _base(f, con)
    return _df(con, f"SELECT c.indicator, count(*) AS claims {base} AND c.indicator IS NOT NULL "
                    f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", params + [int(n)])


def indicator_places(con, f: Filters, indicator: str, n: int = 200) -> pd.DataFrame:
    """Places that have claims on `indicator`, most claims first."""
    base, params = _base(f, con)
    return _df(con, f"SELECT c.place, count(*) AS claims {base} AND c.indicator = ? AND c.place IS NOT NULL "
                    f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", params + [indicator, int(n)])


def timeline(con, f: Filters, indicator: str, places: tuple[str, ...] = (), limit: int = 5000) -> pd.DataFrame:
    """Claims on one indicator for chosen places, each with `conflict`: how many different values
    the store holds for the same place, period, kind and unit (more than 1 means sources disagree)."""
    base, params = _base(f, con, docs=True)
    cond = " AND c.indicator = ?"
    params = params + [indicator]
    if places:
        cond += " AND list_contains(?, c.place)"
        params.append(list(places))
    sql = (f"SELECT c.claim_id, c.place, c.period, c.period_start, d.published, c.value, c.unit, c.kind, "
           f"c.direction, c.quote, d.title, d.url, "
           f"count(DISTINCT c.value) OVER (PARTITION BY c.place, c.period, c.kind, c.unit) AS conflict "
           f"{base}{cond} ORDER BY c.place, c.period_start NULLS LAST, d.published LIMIT ?")
    return _df(con, sql, params + [int(limit)])


def count_claims(con, f: Filters) -> int:
    """How many claims pass the filter."""
    base, params = _base(f, con)
    return _one(con, f"SELECT count(*) {base}", params)[0]


def claims(con, f: Filters, limit: int = 500, offset: int = 0) -> pd.DataFrame:
    """A page of filtered claims for the table, newest publication first."""
    base, params = _base(f, con, docs=True)
    cols = ", ".join(f"top.{c}" if c in ("title", "published", "claim_id") else f"c.{c}" for c in TABLE_COLUMNS)
    # Rank on the sort keys alone, then read the wide columns of this page's rows only.
    return _df(con, f"WITH top AS (SELECT c.claim_id, d.published, d.title {base} "
                    f"ORDER BY d.published DESC NULLS LAST, c.claim_id LIMIT ? OFFSET ?) "
                    f"SELECT {cols} FROM top JOIN {CLAIMS} c USING (claim_id) "
                    f"ORDER BY top.published DESC NULLS LAST, top.claim_id",
               params + [min(int(limit), MAX_ROWS), int(offset)])


def export_claims(con, f: Filters, limit: int = MAX_ROWS) -> pd.DataFrame:
    """Filtered claims with quote, sentence, source title and URL, for CSV/XLSX/HTML exports."""
    base, params = _base(f, con, docs=True)
    doc_cols = ("title", "published", "url", "source")
    cols = ", ".join(f'd.{c}' if c in doc_cols else f'c."{c}"' for c in EXPORT_COLUMNS)
    return _df(con, f"SELECT {cols} {base} ORDER BY d.published DESC NULLS LAST, c.claim_id LIMIT ?",
               params + [min(int(limit), MAX_ROWS)])


def claim_detail(con, claim_id: int, context: int = 240) -> dict | None:
    """One claim with its document's title, URL and the passage around it (offsets into the passage)."""
    sql = (f"SELECT c.*, d.title, d.url, d.source, d.name, d.published, "
           f"greatest(c.start - ?, 0) AS passage_start, "
           f"substr(d.text, greatest(c.start - ?, 0) + 1, (c.\"end\" - greatest(c.start - ?, 0)) + ?) AS passage "
           f"FROM {CLAIMS} c JOIN documents d ON d.doc_id = c.doc_id WHERE c.claim_id = ?")
    df = _df(con, sql, [context, context, context, context, int(claim_id)])
    if df.empty:
        return None
    return df.iloc[0].to_dict()


def claim_reviews(con, claim_id: int) -> pd.DataFrame:
    """The review history of one claim, newest first."""
    return _df(con, "SELECT status, field, new_value, note, reviewed_at FROM reviews "
                    "WHERE claim_id = ? ORDER BY reviewed_at DESC, review_id DESC", [int(claim_id)])


def documents(con, f: Filters, limit: int = 500) -> pd.DataFrame:
    """Documents that hold filtered claims (or match the source/date filter when they hold none)."""
    base, params = _base(f, con)
    doc_conds, doc_params = ["TRUE"], []
    if f.source.strip():
        doc_conds.append("contains(lower(concat_ws(' ', d.title, d.name, d.source, d.url)), ?)")
        doc_params.append(f.source.strip().lower())
    if f.published_from is not None:
        doc_conds.append("d.published >= ?")
        doc_params.append(f.published_from)
    if f.published_to is not None:
        doc_conds.append("d.published <= ?")
        doc_params.append(f.published_to)
    narrowing = f.narrowed(source="", published_from=None, published_to=None) != Filters()
    join = "JOIN" if narrowing else "LEFT JOIN"
    sql = (f"WITH n AS (SELECT c.doc_id, count(*) AS claims {base} GROUP BY 1) "
           f"SELECT d.doc_id, d.name, d.title, d.published, d.url, d.source, d.ingested_at, "
           f"coalesce(n.claims, 0) AS claims FROM documents d {join} n ON n.doc_id = d.doc_id "
           f"WHERE {' AND '.join(doc_conds)} "
           f"ORDER BY d.published DESC NULLS LAST, d.ingested_at DESC LIMIT ?")
    return _df(con, sql, params + doc_params + [min(int(limit), MAX_ROWS)])


def document(con, doc_id: str) -> dict | None:
    """One document's metadata and full text."""
    df = _df(con, "SELECT doc_id, name, title, published, url, source, encoding, ingested_at, text "
                  "FROM documents WHERE doc_id = ?", [doc_id])
    return None if df.empty else df.iloc[0].to_dict()


def document_claims(con, doc_id: str) -> pd.DataFrame:
    """All claims of one document in text order, with their offsets."""
    return _df(con, f'SELECT claim_id, start, "end", quote, value, unit, kind, indicator, place, period, '
                    f"sector, review_status FROM {CLAIMS} WHERE doc_id = ? ORDER BY start",
               [doc_id])


def data_version(con) -> tuple:
    """Counts and latest ids of documents and reviews: changes whenever the store is written."""
    return tuple(_one(con, "SELECT (SELECT count(*) FROM documents), (SELECT max(ingested_at) FROM documents), "
                           "(SELECT count(*) FROM reviews), (SELECT max(review_id) FROM reviews), "
                           "(SELECT count(*) FROM claims)"))


def claims_by(con, f: Filters, column: str) -> pd.DataFrame:
    """Filtered claim counts grouped by one categorical column (sector, kind, province or unit)."""
    if column not in ("sector", "kind", "province", "unit"):
        raise ValueError(f"cannot group claims by {column!r}")
    base, params = _base(f, con)
    return _df(con, f"SELECT c.{column} AS key, count(*) AS claims {base} GROUP BY 1 ORDER BY 2 DESC", params)


# ---- the fact layer (data/facts.py): one row per quantity, however many sources state it ----

FACT_TABLE_COLUMNS = ("fact_id", "indicator", "place", "period", "kind", "unit", "value", "value_high",
                      "direction", "approx", "value_list", "status", "ambiguous", "n_claims", "n_documents",
                      "n_sources", "sector", "province", "adcode")


def has_facts(con) -> bool:
    """Whether the store holds the fact tables (stores built before the fact layer do not)."""
    from data import facts

    cur = con.cursor()
    try:
        return facts.has_facts(cur)
    finally:
        cur.close()


def facts_unseen_documents(con) -> list[str] | None:
    """Documents the fact layer has not grouped yet; None when its tables are missing."""
    ready = _one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name IN "
                      "('facts', 'fact_members', 'doc_groups')")[0] == 3
    if not ready:
        return None
    return _df(con, "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM doc_groups) "
                    "ORDER BY doc_id")["doc_id"].tolist()


def claims_of_documents(con, doc_ids: list[str]) -> int:
    """How many claims the given documents hold."""
    if not doc_ids:
        return 0
    return _one(con, "SELECT count(*) FROM claims WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                [list(doc_ids)])[0]


def _fact_where(f: Filters, con) -> tuple[str, list]:
    """Facts (x) with at least one member claim passing the filter; conflicts narrow to conflict facts."""
    plain = f.narrowed(conflicts=False)
    cond, params = "TRUE", []
    if plain != Filters():  # unfiltered, every fact passes: skip the semi-join over all member claims
        base, params = _base(plain, con)
        cond = f"x.fact_id IN (SELECT m.fact_id FROM fact_members m WHERE m.claim_id IN (SELECT c.claim_id {base}))"
    if f.conflicts:
        cond += " AND x.status = 'conflict'"
    return cond, params


def count_facts(con, f: Filters) -> dict:
    """How many facts pass the filter, and how many of them are conflicts."""
    cond, params = _fact_where(f, con)
    row = _one(con, f"SELECT count(*), count(*) FILTER (WHERE x.status = 'conflict') FROM facts x WHERE {cond}",
               params)
    return {"facts": row[0], "conflicts": row[1]}


def facts_table(con, f: Filters, limit: int = 500, offset: int = 0) -> pd.DataFrame:
    """A page of filtered facts: conflicts first, then the most independently sourced."""
    cond, params = _fact_where(f, con)
    cols = ", ".join(f"x.{c}" for c in FACT_TABLE_COLUMNS)
    return _df(con, f"SELECT {cols} FROM facts x WHERE {cond} "
                    f"ORDER BY x.status = 'conflict' DESC, x.n_sources DESC, x.n_claims DESC, x.indicator, "
                    f"x.period, x.fact_id LIMIT ? OFFSET ?", params + [min(int(limit), MAX_ROWS), int(offset)])


def fact_members(con, fact_id: str) -> pd.DataFrame:
    """The member claims of one fact with quote, sentence and source document."""
    from data import facts

    cur = con.cursor()
    try:
        return facts.fact_members(cur, fact_id)
    finally:
        cur.close()


def fact_region_stats(con, f: Filters, prefix_len: int, indicator: str | None = None) -> pd.DataFrame:
    """Facts per admin-code prefix (the map's areas); with `indicator` (canonical name) the agreed
    value of its latest fact per prefix — a latest fact in conflict has no single value to paint."""
    if prefix_len not in (2, 4, 6):
        raise ValueError(f"prefix length must be 2, 4 or 6, not {prefix_len}")
    cond, params = _fact_where(f, con)
    order = "(x.period_start, x.n_sources, x.fact_id)"
    extra, extra_params = "", []
    if indicator:
        extra, extra_params = " AND x.indicator = ?", [indicator]
    return _df(con, f"SELECT substr(x.adcode, 1, {prefix_len}) AS prefix, count(*) AS claims, "
                    f"count(*) FILTER (WHERE x.status = 'conflict') AS conflicts, "
                    + (f"arg_max(x.value, {order}) AS latest_value, arg_max(x.unit, {order}) AS latest_unit, "
                       f"arg_max(x.period, {order}) AS latest_period "
                       if indicator else
                       "NULL::DOUBLE AS latest_value, NULL::VARCHAR AS latest_unit, NULL::VARCHAR AS latest_period ")
                    + f"FROM facts x WHERE {cond}{extra} AND length(x.adcode) = 6 GROUP BY 1",
               params + extra_params)


def fact_markers(con, f: Filters, limit: int = 3000) -> pd.DataFrame:
    """One marker per place with coordinates: its facts, conflicts, and its latest fact's values."""
    cond, params = _fact_where(f, con)
    order = "(x.period_start, x.n_sources, x.fact_id)"
    return _df(con, f"SELECT coalesce(x.adcode, x.place) AS adcode, any_value(x.place) AS place, "
                    f"avg(x.lat) AS lat, avg(x.lon) AS lon, count(*) AS claims, "
                    f"count(*) FILTER (WHERE x.status = 'conflict') AS conflicts, "
                    f"arg_max(x.indicator, {order}) AS indicator, arg_max(x.value_list, {order}) AS value_list, "
                    f"arg_max(x.unit, {order}) AS unit, arg_max(x.period, {order}) AS period, "
                    f"arg_max(x.n_sources, {order}) AS n_sources "
                    f"FROM facts x WHERE {cond} AND x.lat IS NOT NULL AND x.lon IS NOT NULL "
                    f"GROUP BY 1 ORDER BY claims DESC, 1 LIMIT ?", params + [int(limit)])


def fact_indicators(con, f: Filters, n: int = 200) -> pd.DataFrame:
    """The canonical indicators with the most filtered facts (column `claims` holds the fact count)."""
    cond, params = _fact_where(f, con)
    return _df(con, f"SELECT x.indicator, count(*) AS claims FROM facts x WHERE {cond} "
                    f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", params + [int(n)])


def fact_indicator_places(con, f: Filters, indicator: str, n: int = 200) -> pd.DataFrame:
    """Places with facts on one canonical indicator, most facts first."""
    cond, params = _fact_where(f, con)
    return _df(con, f"SELECT x.place, count(*) AS claims FROM facts x WHERE {cond} AND x.indicator = ? "
                    f"AND x.place IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
               params + [indicator, int(n)])


def fact_timeline(con, f: Filters, indicator: str, places: tuple[str, ...] = (), limit: int = 5000) -> pd.DataFrame:
    """One row per distinct value of each fact on one indicator: a conflict's values stay apart
    (`conflict` is the fact's number of values), each with one quote, its sources and first publication."""
    cond, params = _fact_where(f, con)
    cond += " AND x.indicator = ?"
    params = params + [indicator]
    if places:
        cond += " AND list_contains(?, x.place)"
        params.append(list(places))
    sql = (f"SELECT x.fact_id, x.place, x.period, x.period_start, x.unit, x.kind, x.n_values AS conflict, "
           f"m.value_cluster, x.value_list[m.value_cluster + 1] AS value, "
           f"arg_min(q.quote, (d.published, m.claim_id)) AS quote, min(d.published) AS published, "
           f"string_agg(DISTINCT coalesce(d.title, d.name), ' / ') AS title, "
           f"count(DISTINCT m.group_id) AS sources "
           f"FROM facts x JOIN fact_members m USING (fact_id) JOIN documents d ON d.doc_id = m.doc_id "
           f"LEFT JOIN claims q ON q.claim_id = m.claim_id "  # quotes are not corrected by reviews
           f"WHERE {cond} GROUP BY ALL ORDER BY x.place, x.period_start NULLS LAST, m.value_cluster LIMIT ?")
    return _df(con, sql, params + [int(limit)])
