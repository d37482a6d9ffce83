"""Near-duplicate articles: MinHash over character shingles, so a reprint counts as one source.

A reprint is the same text under another title, re-spaced, converted to traditional script or
with stock quotes injected after company names (上海电气(4.990, 0.03, 0.60%)).  All of that is
taken out before shingling; what remains is compared by MinHash (datasketch) and candidates come
from a MinHashLSH index.  Each document gets a group id: the id of the earliest stored document
it nearly duplicates, or its own.  Groups are assigned once, in ingest order, and never move, so
ingesting a new article touches only that article's group.
"""
from __future__ import annotations

import hashlib
from functools import cache

import numpy as np
import regex
from datasketch import MinHash, MinHashLSH

SHINGLE = 5          # characters per shingle: long enough that common phrases do not match
NUM_PERM = 128
THRESHOLD = 0.8      # estimated Jaccard similarity from which two texts are one article
SEED = 1
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable within one

_SPACE = regex.compile(r"\s+")

DDL = """
CREATE TABLE IF NOT EXISTS doc_groups (
    doc_id    VARCHAR PRIMARY KEY,
    group_id  VARCHAR NOT NULL,   -- doc_id of the earliest stored near-duplicate (itself if none)
    signature BLOB NOT NULL       -- MinHash hash values, uint64, NUM_PERM of them
);
"""


@cache
def _stock_quote():
    # The extractor's own rule for injected quotes: one definition of what a stock quote looks like.
    from indicators import rules

    pattern = rules.load("exclusions").get("stock_quote")
    if not isinstance(pattern, str):
        raise RuntimeError("indicators/rules/exclusions.yaml: stock_quote must be a regular expression")
    return regex.compile(pattern)


@cache
def _lsh_params() -> tuple[int, int]:
    # MinHashLSH finds its band layout by numerical integration (tens of ms); do that once.
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


@cache
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def normalise(text: str) -> str:
    """The text as compared: simplified, half-width, pinyin residue, stock quotes and spaces out."""
    from indicators.normalize import normalise as to_simple

    text = to_simple(text).text
    text = _stock_quote().sub("", text)
    return _SPACE.sub("", text)


def shingles(text: str) -> set[bytes]:
    """Character shingles of the normalised text (the whole text when shorter than one shingle)."""
    norm = normalise(text)
    if len(norm) <= SHINGLE:
        return {norm.encode("utf-8")} if norm else set()
    return {norm[i:i + SHINGLE].encode("utf-8") for i in range(len(norm) - SHINGLE + 1)}


# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies before its permutations.
_FMIX32 = (16, np.uint32(0x85EBCA6B), 13, np.uint32(0xC2B2AE35), 16)


def _hashvalues(items) -> np.ndarray:
    """What datasketch's `update_batch` makes of these byte strings (sha1_hash32, affine32), in one numpy step.

    datasketch calls a Python hash function per shingle and builds the array from Python ints; that
    costs three times the hashing itself.  The arithmetic is the same, so stored signatures stay
    comparable (tests check this against MinHash.update_batch).
    """
    sha1 = hashlib.sha1
    hv = np.frombuffer(b"".join([sha1(s).digest()[:4] for s in items]), dtype="<u4").astype(np.uint32)
    a, b = _permutations()
    if not len(hv):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    return (hv[:, None] * a + b).min(axis=0)


def signature(text: str) -> MinHash:
    """The MinHash of a text's shingles."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=_hashvalues(shingles(text)),
                   permutations=_permutations(), scheme=SCHEME)


def _from_bytes(blob: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=np.frombuffer(blob, dtype=np.uint64),
                   permutations=_permutations(), scheme=SCHEME)


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two texts' shingles."""
    return signature(a).jaccard(signature(b))


class DupIndex:
    """Documents seen so far, each with its group; `add` places a new one."""

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold
        params = _lsh_params() if threshold == THRESHOLD else None
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, params=params)
        self.sigs: dict[str, MinHash] = {}
        self.group: dict[str, str] = {}
        self.order: dict[str, int] = {}

    def load(self, doc_id: str, group_id: str, sig: MinHash) -> None:
        """Put back a document whose group is already known."""
        self.lsh.insert(doc_id, sig, check_duplication=False)
        self.sigs[doc_id], self.group[doc_id] = sig, group_id
        self.order[doc_id] = len(self.order)

    def add(self, doc_id: str, sig: MinHash) -> str:
        """The group of a new document: that of its most similar earlier near-duplicate, else its own."""
        if doc_id in self.group:
            return self.group[doc_id]
        best = None
        for other in self.lsh.query(sig):
            score = sig.jaccard(self.sigs[other])
            if score >= self.threshold:
                rank = (-score, self.order[other])
                if best is None or rank < best[0]:
                    best = (rank, other)
        group = self.group[best[1]] if best else doc_id
        self.load(doc_id, group, sig)
        return group


def ensure_schema(con) -> None:
    """Create the `doc_groups` table when missing."""
    con.execute(DDL)


_INDEXES: dict[str, DupIndex] = {}  # database file → its index, reused while it matches the table


def _index(con) -> DupIndex:
    # Rebuilding the LSH index from every stored signature costs more than grouping a batch; a
    # writer keeps one per store and reuses it while it holds exactly the rows in doc_groups.
    where, n = con.execute(  # no path for an in-memory store: no reuse
        "SELECT (SELECT path FROM duckdb_databases() WHERE database_name = current_database()), "
        "(SELECT count(*) FROM doc_groups)").fetchone()
    cached = _INDEXES.get(where) if where else None
    if cached is not None and len(cached.group) == n:
        return cached
    index = DupIndex()
    if where:
        _INDEXES[where] = index
    for did, gid, blob in con.execute(
            "SELECT g.doc_id, g.group_id, g.signature FROM doc_groups g "
            "LEFT JOIN documents d USING (doc_id) ORDER BY d.ingested_at NULLS FIRST, g.doc_id").fetchall():
        index.load(did, gid, _from_bytes(blob))
    return index


def assign_groups(con, doc_ids) -> dict[str, str]:
    """Group ids of the given stored documents, placing those not yet grouped (in ingest order)."""
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        return {}
    # One round trip: the known groups, and the text of stored documents still without one.
    rows = con.execute(
        "SELECT i.doc_id, g.group_id, d.text, d.ingested_at FROM unnest(?::VARCHAR[]) AS i(doc_id) "
        "LEFT JOIN doc_groups g ON g.doc_id = i.doc_id "
        "LEFT JOIN documents d ON d.doc_id = i.doc_id AND g.group_id IS NULL", [ids]).fetchall()
    known = {did: gid for did, gid, _, _ in rows if gid is not None}
    todo = sorted(((at, did, text) for did, gid, text, at in rows if gid is None and text is not None),
                  key=lambda r: (r[0], r[1]))
    if todo:
        index = _index(con)
        sigs = []
        for _, did, text in todo:
            sig = signature(text)
            known[did] = index.add(did, sig)
            sigs.append(sig.hashvalues.astype(np.uint64).tobytes())
        con.execute("INSERT INTO doc_groups SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BLOB[])",
                    [[did for _, did, _ in todo], [known[did] for _, did, _ in todo], sigs])
    return {i: known[i] for i in ids if i in known}


def clear_groups(con) -> None:
    """Forget every group (a full rebuild assigns them again in ingest order)."""
    con.execute("DELETE FROM doc_groups")
