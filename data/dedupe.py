"""Near-duplicate articles: MinHash over character shingles, so a reprint counts as one source.

A reprint is the same text under another title, re-spaced, converted to traditional script or
with stock quotes injected after company names (上海电气(4.990, 0.03, 0.60%)).  All of that is
taken out before shingling; what remains is compared by MinHash (datasketch's affine32 permutations
over a vectorised shingle hash) and candidates come from datasketch MinHashLSH's banding, kept by
DupIndex.  datasketch itself is imported only where its objects are asked for (`signature`, other
thresholds): it pulls in scipy, whose import cost the writer and every extraction worker more than
a batch's signatures.
Each document gets a group id: the id of the earliest stored document it nearly duplicates, or its own.  Groups are assigned
once, in ingest order, and never move, so ingesting a new article touches only that article's
group.  Signatures are made where the text already is (the extraction workers) when they can be,
else here from the stored text.
"""
from __future__ import annotations

from functools import cache

import numpy as np
import regex

from .bulk import insert_arrow

SHINGLE = 5          # characters per shingle: long enough that common phrases do not match
NUM_PERM = 128
THRESHOLD = 0.8      # estimated Jaccard similarity from which two texts are one article
SEED = 1
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable within one

_SPACE = regex.compile(r"\s+")

# No PRIMARY KEY (schema v4 drops it): its index upkeep cost each batch's insert about 0.2 ms, and
# `place` writes a row only for documents without one, in the writer's transaction.
DDL = """
CREATE TABLE IF NOT EXISTS doc_groups (
    doc_id    VARCHAR NOT NULL,   -- one row per grouped document
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


# MinHashLSH's band layout for THRESHOLD and NUM_PERM (bands, rows per band), which it finds by
# numerical integration with scipy; tests/test_dedupe.py checks these against it.
LSH_BANDS, LSH_ROWS = 9, 13


def _params(threshold: float) -> tuple[int, int]:
    if threshold == THRESHOLD:
        return LSH_BANDS, LSH_ROWS
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


@cache
def _permutations() -> np.ndarray:
    # datasketch's affine32 permutations (MinHash._init_permutations): odd multipliers a and offsets b,
    # uint32, drawn in this order from RandomState(SEED); tests/test_dedupe.py checks them against it.
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return np.array([a, b])


@cache
def _simple_table() -> np.ndarray | None:
    # The extractor's own one-character table (traditional → simplified, full width → ASCII) for the
    # Basic Multilingual Plane, as a code-point array: a text is converted in one numpy step, where
    # str.translate looks each character up in a dict.  None if it maps a character to several.
    from indicators.normalize import conversions

    table = np.arange(0x10000, dtype=np.uint32)
    for code, to in conversions().items():
        if len(to) != 1:
            return None
        if code < 0x10000:
            table[code] = ord(to)
    return table


def _to_simple(text: str) -> str:
    """indicators.normalize.normalise(text).text, without the map back to the original's offsets."""
    from indicators import normalize

    text = normalize.drop_noise(text)
    table = _simple_table()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if table is None or (len(cp) and cp.max() >= 0x10000):  # a character beyond the BMP: the dict
        return text.translate(normalize.conversions())
    return table[cp].astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


def normalise(text: str) -> str:
    """The text as compared: simplified, half-width, pinyin residue, stock quotes and spaces out."""
    text = _to_simple(text)
    text = _stock_quote().sub("", text)
    return _SPACE.sub("", text)


def shingles(text: str) -> set[bytes]:
    """Character shingles of the normalised text (the whole text when shorter than one shingle)."""
    norm = normalise(text)
    if len(norm) <= SHINGLE:
        return {norm.encode("utf-8")} if norm else set()
    return {norm[i:i + SHINGLE].encode("utf-8") for i in range(len(norm) - SHINGLE + 1)}


# A shingle's 32-bit hash: its code points weighted by fixed odd 64-bit multipliers (mod 2**64),
# mixed by splitmix64's finaliser, high half.  Unlike datasketch's default (SHA-1 of each shingle,
# one Python call apiece) this is a handful of numpy operations per document; datasketch still
# does the rest (its affine32 permutations, the LSH bands).  Signatures made by another hash are
# not comparable: the store records which one it holds (SIGNATURE_HASH) and re-signs old rows.
SIGNATURE_HASH = "cp5-splitmix64"
_WEIGHTS = (0xD1A6E55E9B9B1325, 0x566BF9D7C55A45F9, 0xCF0C26EF4243ED53, 0x5D96CF7F265BEDA9, 0xC1D77CFFB7DECC0D)
_MASK64 = (1 << 64) - 1
_SPLITMIX = (30, 0xBF58476D1CE4E5B9, 27, 0x94D049BB133111EB, 31)
# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies before its permutations.
_FMIX32 = (16, np.uint32(0x85EBCA6B), 13, np.uint32(0xC2B2AE35), 16)


def shingle_hash(shingle: bytes) -> int:
    """The 32-bit hash of one shingle (UTF-8 bytes): datasketch's `hashfunc` for what `signature` computes."""
    h = sum(ord(ch) * w for ch, w in zip(shingle.decode("utf-8"), _WEIGHTS)) & _MASK64
    s1, m1, s2, m2, s3 = _SPLITMIX
    h = ((h ^ (h >> s1)) * m1) & _MASK64
    h = ((h ^ (h >> s2)) * m2) & _MASK64
    return (h ^ (h >> s3)) >> 32


def _window_hashes(cp: np.ndarray) -> np.ndarray:
    """`shingle_hash` of every SHINGLE-long window of a uint64 code-point array, as uint32."""
    n = len(cp) - SHINGLE + 1
    h = cp[:n] * np.uint64(_WEIGHTS[0])
    for j in range(1, SHINGLE):
        h += cp[j:j + n] * np.uint64(_WEIGHTS[j])
    s1, m1, s2, m2, s3 = (np.uint64(x) for x in _SPLITMIX)
    h ^= h >> s1
    h *= m1
    h ^= h >> s2
    h *= m2
    h ^= h >> s3
    return (h >> np.uint64(32)).astype(np.uint32)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _shingle_hashes(norm: str) -> np.ndarray:
    """`shingle_hash` of every shingle of a normalised text, as uint32, in one numpy pass."""
    if len(norm) <= SHINGLE:
        return np.array([shingle_hash(norm.encode("utf-8"))] if norm else [], dtype=np.uint32)
    return _window_hashes(_codepoints(norm).astype(np.uint64))


def _premix(hv: np.ndarray) -> np.ndarray:
    # MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme applies it to every item hash.
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> s1)
    hv *= m1
    hv ^= hv >> s2
    hv *= m2
    hv ^= hv >> s3
    return hv


def _minhash_values(hv: np.ndarray) -> np.ndarray:
    """datasketch's affine32 MinHash of 32-bit item hashes (its `update_batch` arithmetic, vectorised)."""
    if not len(hv):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    a, b = _permutations()
    # One row per permutation, reduced along the row: contiguous, and the product is worked in place.
    grid = np.multiply.outer(a, _premix(hv))
    grid += b[:, None]
    return grid.min(axis=1)


def signature_bytes(text: str) -> bytes:
    """A text's MinHash as stored (NUM_PERM uint64 values): what extraction workers send the writer."""
    return _minhash_values(_shingle_hashes(normalise(text))).astype(np.uint64).tobytes()


_GROUP_CHARS = 8192  # characters signed in one pass by signatures_bytes: a grid of at most ~4 MB


def signatures_bytes(texts: list[str]) -> list[bytes]:
    """`signature_bytes` of each text, a batch's texts worked together: a handful of numpy passes per
    ~8,000 characters instead of per document (each pass costs more than the arithmetic in it)."""
    out: list = [None] * len(texts)
    group: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        if "\x00" in text:  # the separator of a group: such a text is signed alone
            out[i] = signature_bytes(text)
            continue
        group.append(i)
        size += len(text)
        if size >= _GROUP_CHARS:
            _sign_group(texts, group, out)
            group, size = [], 0
    if group:
        _sign_group(texts, group, out)
    return out


def _sign_group(texts: list[str], group: list[int], out: list) -> None:
    # The texts joined by NUL, normalised at once: no normalisation step can reach across a NUL (the
    # regular expressions match none, the table maps it to itself, it is not a space).  Windows
    # holding a NUL belong to no text; each text's minimum is taken over its own windows.
    norm = normalise("\x00".join(texts[i] for i in group))
    parts = norm.split("\x00")
    if len(parts) != len(group):  # cannot happen (see above); should it, sign them one by one
        for i in group:
            out[i] = signature_bytes(texts[i])
        return
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    full = lengths >= SHINGLE
    if full.any():
        cp = _codepoints(norm)
        sep = np.concatenate(([0], np.cumsum(cp == 0)))
        inside = sep[SHINGLE:] == sep[:-SHINGLE]  # window i holds no NUL
        hv = _premix(_window_hashes(cp.astype(np.uint64))[inside])
        a, b = _permutations()
        grid = np.multiply.outer(a, hv)
        grid += b[:, None]
        counts = (lengths - SHINGLE + 1)[full]  # each full text's windows, in order
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        mins = np.minimum.reduceat(grid, starts, axis=1).T.astype(np.uint64)
        for k, i in enumerate(np.flatnonzero(full)):
            out[group[i]] = mins[k].tobytes()
    for i in np.flatnonzero(~full):  # shorter than a shingle: the whole text is its one shingle
        out[group[i]] = _minhash_values(_shingle_hashes(parts[i])).astype(np.uint64).tobytes()


def signature(text: str):
    """The MinHash of a text's shingles, as a datasketch LeanMinHash."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=_values(signature_bytes(text)), scheme=SCHEME)


def _values(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint64)


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two texts' shingles."""
    return signature(a).jaccard(signature(b))


class DupIndex:
    """Documents seen so far, each with its group; `add` places a new one."""

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold
        bands, rows = _params(threshold)
        # MinHashLSH's banding (its b bands of r values, its parameters), kept here as one dict per band
        # from the band's values to the rows holding them: its query adds each candidate of each band
        # to a set one Python call at a time, which for a widely reprinted article (hundreds of
        # candidates in every band) cost more than the rest of grouping.  Same candidates, same groups.
        self.ranges = [(i * rows, (i + 1) * rows) for i in range(bands)]
        self.bands: list[dict[bytes, list[int]]] = [{} for _ in range(bands)]
        self.group: dict[str, str] = {}
        self.order: dict[str, int] = {}
        self.ids: list[str] = []
        # Every signature as one row of a matrix grown by doubling: a widely reprinted article has
        # hundreds of candidates, scored by one fancy-indexed comparison instead of a stack of arrays.
        self.values = np.empty((64, NUM_PERM), dtype=np.uint64)

    def _keys(self, values: np.ndarray) -> list[bytes]:
        raw = values.tobytes()  # one copy, sliced per band: cheaper than an array slice's tobytes each
        return [raw[a * 8:b * 8] for a, b in self.ranges]

    def load(self, doc_id: str, group_id: str, sig, keys: list[bytes] | None = None) -> None:
        """Put back a document whose group is already known (`sig`: a MinHash or its hash values)."""
        values = _hash_values(sig)
        row = len(self.ids)
        for band, key in zip(self.bands, keys or self._keys(values)):
            got = band.get(key)
            if got is None:
                band[key] = [row]
            else:
                got.append(row)
        if row == len(self.values):
            self.values = np.concatenate([self.values, np.empty_like(self.values)])
        self.values[row] = values
        self.group[doc_id], self.order[doc_id] = group_id, row
        self.ids.append(doc_id)

    def add(self, doc_id: str, sig) -> str:
        """The group of a new document: that of its most similar earlier near-duplicate, else its own."""
        if doc_id in self.group:
            return self.group[doc_id]
        group = doc_id
        values = _hash_values(sig)
        keys = self._keys(values)
        found = [got for band, key in zip(self.bands, keys) if (got := band.get(key)) is not None]
        if found:
            # MinHash.jaccard (equal values / NUM_PERM) of every candidate at once; the best is the most
            # similar, the earliest among equals.
            rows = np.fromiter(set().union(*found), dtype=np.intp)
            scores = np.count_nonzero(self.values[rows] == values, axis=1) / len(values)
            close = scores >= self.threshold
            if close.any():
                rows, scores = rows[close], scores[close]
                group = self.group[self.ids[rows[scores == scores.max()].min()]]
        self.load(doc_id, group, values, keys)
        return group


def _hash_values(sig) -> np.ndarray:
    # A datasketch MinHash (affine32: uint32 values) or stored values (uint64): one dtype for the bands.
    values = getattr(sig, "hashvalues", sig)
    return values if values.dtype == np.uint64 else values.astype(np.uint64)


def ensure_schema(con) -> None:
    """Create the `doc_groups` table when missing."""
    con.execute(DDL)


_INDEXES: dict[str, DupIndex] = {}  # database file → its index, reused while it matches the table
_META_KEY = "dedupe_signature"      # the `meta` row naming the hash the stored signatures were made with


def _index(con, n: int) -> DupIndex:
    # Rebuilding the LSH index from every stored signature costs more than grouping a batch; a
    # writer keeps one per store file and reuses it while it holds exactly the n rows of doc_groups
    # (a rolled-back batch leaves it with more).  Only a rebuilt index needs the signatures' hash
    # checked: a reused one was loaded after that check, and since grew by this module's signatures.
    from .store import db_path

    where = db_path(con)
    cached = _INDEXES.get(where) if where else None
    if cached is not None and len(cached.group) == n:
        return cached
    index = DupIndex()
    if where:  # no path for an in-memory store: no reuse
        _INDEXES[where] = index
    if not n:
        # A new store: nothing to load or re-sign (two statements saved on every first batch).  The
        # store records the hash when it makes doc_groups (data/store.py); should the row be missing,
        # the next index built over stored rows re-signs them and writes it.
        return index
    scheme = con.execute("SELECT value FROM meta WHERE key = ?", [_META_KEY]).fetchone()
    if scheme is None or scheme[0] != SIGNATURE_HASH:
        _resign(con, n)
    for did, gid, blob in con.execute(
            "SELECT g.doc_id, g.group_id, g.signature FROM doc_groups g "
            "LEFT JOIN documents d USING (doc_id) ORDER BY d.ingested_at NULLS FIRST, g.doc_id").fetchall():
        index.load(did, gid, _values(blob))
    return index


def _resign(con, n: int) -> None:
    # Signatures stored by an older hash cannot be compared with new ones: recompute them from the
    # documents' text, groups untouched.  (A row whose document is gone keeps its old signature and
    # so never matches again; its group id lives on in the rows that share it.)  `n`: rows of doc_groups.
    rows = con.execute("SELECT g.doc_id, d.text FROM doc_groups g JOIN documents d USING (doc_id)"
                       ).fetchall() if n else []
    if rows:
        con.execute("UPDATE doc_groups SET signature = s.signature FROM (SELECT unnest(?::VARCHAR[]) AS doc_id, "
                    "unnest(?::BLOB[]) AS signature) s WHERE doc_groups.doc_id = s.doc_id",
                    [[r[0] for r in rows], [signature_bytes(r[1]) for r in rows]])
    record_signature_hash(con)


def record_signature_hash(con) -> None:
    """Mark the stored signatures as made by this module's hash."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_META_KEY, SIGNATURE_HASH])


def assign_groups(con, doc_ids, signatures: dict[str, bytes] | None = None) -> dict[str, str]:
    """Group ids of the given stored documents, placing those not yet grouped (in ingest order).

    `signatures` may hold the `signature_bytes` of some of them, made where the text already was
    (the extraction workers); the others' are computed here from the stored text.
    """
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        return {}
    signatures = signatures or {}
    # One round trip: known groups, and the ingest time of those still without one (their order).
    rows = con.execute(
        "SELECT i.doc_id, g.group_id, d.ingested_at FROM unnest(?::VARCHAR[]) AS i(doc_id) "
        "LEFT JOIN doc_groups g ON g.doc_id = i.doc_id "
        "LEFT JOIN documents d ON d.doc_id = i.doc_id AND g.group_id IS NULL", [ids]).fetchall()
    known = {r[0]: r[1] for r in rows if r[1] is not None}
    todo = sorted((r[2], r[0]) for r in rows if r[1] is None and r[2] is not None)
    if todo:
        known.update(place(con, [(did, signatures.get(did)) for _, did in todo]))
    return {i: known[i] for i in ids if i in known}


def place(con, todo: list[tuple], n: int | None = None) -> dict[str, str]:
    """Group stored documents that have no group yet, in the order given, as (doc_id, signature or None)
    pairs; their group ids (also stored).  `n`: the rows of doc_groups, when the caller has read it."""
    import pyarrow as pa

    if n is None:
        n = con.execute("SELECT count(*) FROM doc_groups").fetchone()[0]
    missing = [d for d, blob in todo if blob is None or len(blob) != NUM_PERM * 8]
    texts = dict(con.execute("SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                             [missing]).fetchall()) if missing else {}
    index = _index(con, n)
    groups, blobs = [], []
    for did, blob in todo:
        if did in texts:
            blob = signature_bytes(texts[did])
        groups.append(index.add(did, _values(blob)))
        blobs.append(blob)
    ids = [d for d, _ in todo]
    insert_arrow(con, "doc_groups",
                 pa.table({"doc_id": ids, "group_id": groups, "signature": pa.array(blobs, pa.binary())}))
    return dict(zip(ids, groups))


def clear_groups(con) -> None:
    """Forget every group (a full rebuild assigns them again in ingest order)."""
    con.execute("DELETE FROM doc_groups")
