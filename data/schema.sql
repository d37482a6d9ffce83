-- Indicator Atlas store, schema version 1.  The contract between ingestion
-- (data/store.py writes) and the dashboard (data/queries.py reads).
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
    text        VARCHAR NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS claim_ids START 1;

CREATE TABLE IF NOT EXISTS claims (
    claim_id          BIGINT PRIMARY KEY DEFAULT nextval('claim_ids'),
    doc_id            VARCHAR NOT NULL REFERENCES documents (doc_id),
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

-- Audit trail: every review action is a row; the latest row per claim wins.
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
