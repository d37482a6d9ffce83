-- Indicator Atlas store, schema version 4.  The contract between ingestion
-- (data/store.py writes) and the dashboard (data/queries.py reads).
-- Every statement is idempotent: running this file on a store of an older
-- version brings it up to this one (data/store.py then records the version
-- in `meta`).  Version 2 added documents.extractor_version and the view
-- `claims_reviewed`.  Version 3 dropped the claims table's PRIMARY KEY and
-- REFERENCES constraints (data/store.py rebuilds the table of an older store
-- before running this file): their index lookups cost about as much as the
-- rest of the insert, and the writer guarantees both (ids drawn from the
-- sequence, claims written with their document in one transaction).
-- Version 4 creates the fact layer's tables with the store (their DDL lives
-- in data/facts.py and data/dedupe.py; data/store.py runs it after this file),
-- so the first write of every ingest no longer looks them up in the catalogue;
-- it drops the claim columns fact_members copied (readers join the claims) and
-- rebuilds doc_groups without its PRIMARY KEY (data/store.py _fact_tables).
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS documents (
    doc_id      VARCHAR PRIMARY KEY,      -- sha256 of the normalised text, hex
    name        VARCHAR NOT NULL,         -- file stem or URL basename, the extractor's `doc`
    title       VARCHAR,
    source      VARCHAR,                  -- path or URL it came from
    url         VARCHAR,
    published   DATE,
    ingested_at TIMESTAMP NOT NULL,
    encoding    VARCHAR,
    text        VARCHAR NOT NULL,
    extractor_version VARCHAR             -- version that produced its claims (v2)
);
-- v1 -> v2: documents remember which extractor read them, so `reextract` also
-- revisits documents where the old extractor found nothing.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS extractor_version VARCHAR;

CREATE SEQUENCE IF NOT EXISTS claim_ids START 1;

CREATE TABLE IF NOT EXISTS claims (
    claim_id          BIGINT NOT NULL DEFAULT nextval('claim_ids'),  -- unique: v3 has no index
    doc_id            VARCHAR NOT NULL,    -- a stored document's (v3: not checked by the table)
    extractor_version VARCHAR NOT NULL,
    quote             VARCHAR NOT NULL,
    occurrence        INTEGER NOT NULL,
    start             INTEGER NOT NULL,
    "end"             INTEGER NOT NULL,
    value             DOUBLE NOT NULL,
    value_high        DOUBLE,
    unit              VARCHAR NOT NULL,
    value_canonical   DOUBLE,
    unit_canonical    VARCHAR,
    kind              VARCHAR NOT NULL,
    direction         VARCHAR,
    approx            VARCHAR NOT NULL,
    indicator         VARCHAR,
    sector            VARCHAR,
    period            VARCHAR,
    period_start      DATE,                -- first day of `period`, for timelines
    place             VARCHAR,
    province          VARCHAR,
    adcode            VARCHAR,
    place_level       VARCHAR,
    lat               DOUBLE,
    lon               DOUBLE,
    sentence          VARCHAR
);

-- Audit trail: every review action is a row, never updated or deleted.
CREATE SEQUENCE IF NOT EXISTS review_ids START 1;

CREATE TABLE IF NOT EXISTS reviews (
    review_id   BIGINT PRIMARY KEY DEFAULT nextval('review_ids'),
    claim_id    BIGINT NOT NULL,
    status      VARCHAR NOT NULL,          -- confirmed | rejected | corrected
    field       VARCHAR,                   -- corrected field, null for confirm/reject
    new_value   VARCHAR,
    note        VARCHAR,
    reviewed_at TIMESTAMP NOT NULL
);

-- Claims as reviewed: what exports and charts read.  For each field, the latest
-- correction of that field replaces the extracted value (a correction to NULL
-- clears it; correcting `period` also moves `period_start`).  `review_status` is
-- the claim's latest review (NULL if never reviewed); `rejected` flags claims
-- whose latest review rejects them.  The original extraction stays in `claims`.
CREATE OR REPLACE VIEW claims_reviewed AS
WITH latest AS (
    SELECT claim_id,
           arg_max(status, review_id)      AS review_status,
           arg_max_null(note, review_id)   AS review_note,
           max(reviewed_at)                AS reviewed_at
    FROM reviews GROUP BY claim_id
), fixed AS (
    SELECT claim_id, field, new_value AS nv, review_id
    FROM reviews WHERE status = 'corrected' AND field IS NOT NULL
), x AS (
    SELECT claim_id,
        list(DISTINCT field ORDER BY field) AS corrected_fields,
        coalesce(bool_or(field = 'value'), FALSE) AS has_value, arg_max_null(nv, review_id) FILTER (WHERE field = 'value') AS fix_value,
        coalesce(bool_or(field = 'value_high'), FALSE) AS has_value_high, arg_max_null(nv, review_id) FILTER (WHERE field = 'value_high') AS fix_value_high,
        coalesce(bool_or(field = 'unit'), FALSE) AS has_unit, arg_max_null(nv, review_id) FILTER (WHERE field = 'unit') AS fix_unit,
        coalesce(bool_or(field = 'value_canonical'), FALSE) AS has_value_canonical, arg_max_null(nv, review_id) FILTER (WHERE field = 'value_canonical') AS fix_value_canonical,
        coalesce(bool_or(field = 'unit_canonical'), FALSE) AS has_unit_canonical, arg_max_null(nv, review_id) FILTER (WHERE field = 'unit_canonical') AS fix_unit_canonical,
        coalesce(bool_or(field = 'kind'), FALSE) AS has_kind, arg_max_null(nv, review_id) FILTER (WHERE field = 'kind') AS fix_kind,
        coalesce(bool_or(field = 'direction'), FALSE) AS has_direction, arg_max_null(nv, review_id) FILTER (WHERE field = 'direction') AS fix_direction,
        coalesce(bool_or(field = 'approx'), FALSE) AS has_approx, arg_max_null(nv, review_id) FILTER (WHERE field = 'approx') AS fix_approx,
        coalesce(bool_or(field = 'indicator'), FALSE) AS has_indicator, arg_max_null(nv, review_id) FILTER (WHERE field = 'indicator') AS fix_indicator,
        coalesce(bool_or(field = 'sector'), FALSE) AS has_sector, arg_max_null(nv, review_id) FILTER (WHERE field = 'sector') AS fix_sector,
        coalesce(bool_or(field = 'period'), FALSE) AS has_period, arg_max_null(nv, review_id) FILTER (WHERE field = 'period') AS fix_period,
        coalesce(bool_or(field = 'place'), FALSE) AS has_place, arg_max_null(nv, review_id) FILTER (WHERE field = 'place') AS fix_place,
        coalesce(bool_or(field = 'province'), FALSE) AS has_province, arg_max_null(nv, review_id) FILTER (WHERE field = 'province') AS fix_province,
        coalesce(bool_or(field = 'adcode'), FALSE) AS has_adcode, arg_max_null(nv, review_id) FILTER (WHERE field = 'adcode') AS fix_adcode,
        coalesce(bool_or(field = 'place_level'), FALSE) AS has_place_level, arg_max_null(nv, review_id) FILTER (WHERE field = 'place_level') AS fix_place_level,
        coalesce(bool_or(field = 'lat'), FALSE) AS has_lat, arg_max_null(nv, review_id) FILTER (WHERE field = 'lat') AS fix_lat,
        coalesce(bool_or(field = 'lon'), FALSE) AS has_lon, arg_max_null(nv, review_id) FILTER (WHERE field = 'lon') AS fix_lon
    FROM fixed GROUP BY claim_id
)
SELECT
    c.claim_id, c.doc_id, c.extractor_version, c.quote, c.occurrence, c.start, c."end",
    CASE WHEN x.has_value THEN TRY_CAST(x.fix_value AS DOUBLE) ELSE c.value END AS value,
    CASE WHEN x.has_value_high THEN TRY_CAST(x.fix_value_high AS DOUBLE) ELSE c.value_high END AS value_high,
    CASE WHEN x.has_unit THEN x.fix_unit ELSE c.unit END AS unit,
    CASE WHEN x.has_value_canonical THEN TRY_CAST(x.fix_value_canonical AS DOUBLE) ELSE c.value_canonical END AS value_canonical,
    CASE WHEN x.has_unit_canonical THEN x.fix_unit_canonical ELSE c.unit_canonical END AS unit_canonical,
    CASE WHEN x.has_kind THEN x.fix_kind ELSE c.kind END AS kind,
    CASE WHEN x.has_direction THEN x.fix_direction ELSE c.direction END AS direction,
    CASE WHEN x.has_approx THEN x.fix_approx ELSE c.approx END AS approx,
    CASE WHEN x.has_indicator THEN x.fix_indicator ELSE c.indicator END AS indicator,
    CASE WHEN x.has_sector THEN x.fix_sector ELSE c.sector END AS sector,
    CASE WHEN x.has_period THEN x.fix_period ELSE c.period END AS period,
    CASE WHEN x.has_place THEN x.fix_place ELSE c.place END AS place,
    CASE WHEN x.has_province THEN x.fix_province ELSE c.province END AS province,
    CASE WHEN x.has_adcode THEN x.fix_adcode ELSE c.adcode END AS adcode,
    CASE WHEN x.has_place_level THEN x.fix_place_level ELSE c.place_level END AS place_level,
    CASE WHEN x.has_lat THEN TRY_CAST(x.fix_lat AS DOUBLE) ELSE c.lat END AS lat,
    CASE WHEN x.has_lon THEN TRY_CAST(x.fix_lon AS DOUBLE) ELSE c.lon END AS lon,
    CASE WHEN x.has_period
         THEN TRY_CAST(CASE length(split_part(x.fix_period, '/', 1))
                           WHEN 4 THEN split_part(x.fix_period, '/', 1) || '-01-01'
                           WHEN 7 THEN split_part(x.fix_period, '/', 1) || '-01'
                           ELSE split_part(x.fix_period, '/', 1) END AS DATE)
         ELSE c.period_start END AS period_start,
    c.sentence,
    l.review_status,
    coalesce(l.review_status = 'rejected', FALSE) AS rejected,
    l.reviewed_at,
    l.review_note,
    coalesce(x.corrected_fields, []::VARCHAR[]) AS corrected_fields
FROM claims c
LEFT JOIN latest l USING (claim_id)
LEFT JOIN x USING (claim_id);
