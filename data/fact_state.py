"""The fact layer's fast path: new documents joining facts without re-reading the facts' old members.

Without reviews, and when every document of a batch is new, a fact key's result depends only on its
members' intervals (data/agreement.py) and, per interval, on a few aggregates: how many members, the
best statement, the first member with coordinates, counts of place/province/period start/sector
with the first claim id stating each, and which documents and near-duplicate groups state it.
`KeyState` holds those per distinct interval, so a batch updates them with its own claims and
rebuilds the fact rows from them, at a cost set by the key's distinct values, not its members.

The states live in memory, per connection (a read-write connection holds DuckDB's file lock, so no
other process writes while it lives).  A state is trusted only while nothing else touched the
store: every other update in this process bumps a per-file generation (`forget`), and the rows of
`doc_groups` (which update_facts counts anyway) must be those the last batch left: every batch adds
one per document, so a rolled-back batch leaves fewer.  A cache begun on a store without member
rows also knows which keys have rows but no kept state (`small`): a key it knows neither way has no
rows to read back.  A key holding an interval too narrow to meet itself (a huge value written
out in full digits: each such claim is a value of its own), and a key of fewer than MIN_CACHED
members not kept already, are rebuilt from their claims by facts.build_facts, as before.
"""
from __future__ import annotations

import weakref
from array import array
from datetime import datetime, timezone

from . import agreement, dedupe, facts

MAX_KEYS = 50_000  # cached states per connection; the oldest touched are dropped first
MIN_CACHED = 3     # smaller keys are cheaper to read back than to keep
MAX_SMALL = 200_000  # ids of such keys remembered per connection; past that, every unkept key is read back
_FIELDS = ("place", "province", "period_start", "sector")


class _Span:
    __slots__ = ("n", "cids", "stored", "assigned", "best", "lat", "fields", "docs", "groups")

    def __init__(self) -> None:
        self.n = 0
        self.cids = array("q")    # every member's claim id; the first `stored` have member rows
        self.stored = 0
        self.assigned: tuple | None = None  # (fact_id, value_cluster) of the stored rows
        self.best: tuple | None = None  # (approx != "exact", claim_id, value, value_high, direction, approx)
        self.lat: tuple | None = None   # (claim_id, lat, lon) of the first member with a latitude
        self.fields: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})  # per _FIELDS: value → [count, first id]
        self.docs = 0             # documents whose members in the key all state this interval
        self.groups = 0           # near-duplicate groups likewise


class KeyState:
    """One fact key's members, aggregated per distinct interval."""

    __slots__ = ("spans", "multi_docs", "group_at", "multi_groups", "degenerate")

    def __init__(self) -> None:
        self.spans: dict[tuple, _Span] = {}
        self.multi_docs: dict[str, set] = {}    # documents stating several intervals → those intervals
        self.group_at: dict[str, tuple] = {}    # groups stating one interval → it
        self.multi_groups: dict[str, set] = {}
        self.degenerate = False

    def add_doc(self, group: str, claims: list[dict], spans: list[tuple]) -> None:
        """Add one document's claims of this key (with their intervals); a document is added once."""
        mine = set(spans)
        for c, s in zip(claims, spans):
            sp = self.spans.get(s)
            if sp is None:
                sp = self.spans[s] = _Span()
                if agreement.meet(s, s) is None:
                    self.degenerate = True
            cid = c["claim_id"]
            sp.n += 1
            sp.cids.append(cid)
            cand = (c["approx"] != "exact", cid, c["value"], c["value_high"], c["direction"], c["approx"])
            if sp.best is None or cand[:2] < sp.best[:2]:
                sp.best = cand
            if c["lat"] is not None and (sp.lat is None or cid < sp.lat[0]):
                sp.lat = (cid, c["lat"], c["lon"])
            for counts, name in zip(sp.fields, _FIELDS):
                v = c[name]
                if v is not None:
                    got = counts.get(v)
                    if got is None:
                        counts[v] = [1, cid]
                    else:
                        got[0] += 1
                        got[1] = min(got[1], cid)
        if len(mine) == 1:
            self.spans[spans[0]].docs += 1
        else:
            self.multi_docs[claims[0]["doc_id"]] = mine
        if group in self.multi_groups:
            self.multi_groups[group] |= mine
        elif group in self.group_at:
            at = self.group_at[group]
            if mine != {at}:
                del self.group_at[group]
                self.spans[at].groups -= 1
                self.multi_groups[group] = mine | {at}
        elif len(mine) == 1:
            self.group_at[group] = spans[0]
            self.spans[spans[0]].groups += 1
        else:
            self.multi_groups[group] = set(mine)

    def emit(self, key: tuple, kid: str, now: datetime):
        """The key's fact rows (what facts.build_facts makes of its members) and (span → (fact_id,
        value_cluster)) for every interval."""
        order = sorted(self.spans)
        clusters: list[list[tuple]] = []
        common: tuple[float, float] | None = None
        for s in order:  # agreement.clusters over distinct intervals: a repeated one always joins its own
            both = agreement.meet(common, s) if common else None
            if both is None:
                clusters.append([s])
                common = s
            else:
                clusters[-1].append(s)
                common = both
        ambiguous = False
        if len(clusters) > 1:
            at = {s: i for i, cl in enumerate(clusters) for s in cl}
            ambiguous = any(len({at[s] for s in ss}) > 1 for ss in self.multi_docs.values())
        parts = [[cl] for cl in clusters] if ambiguous else [clusters]
        adcode = None if key[1].startswith("place:") else key[1]
        out, where, used = [], {}, set()
        for part in parts:
            best = [self._best(cl) for cl in part]
            value_list = [-b[2] if b[4] == "down" and key[3] in agreement.CHANGE_KINDS else b[2] for b in best]
            fact_id = facts.digest(kid, repr(value_list[0])) if ambiguous else kid
            while fact_id in used:
                fact_id = facts.digest(fact_id, "again")
            used.add(fact_id)
            every = [s for cl in part for s in cl]
            inside = set(every)
            for i, cl in enumerate(part):
                for s in cl:
                    where[s] = (fact_id, i)
            agreed = len(part) == 1
            head = best[0] if agreed else (None, None, None, None, None, None)
            lat = next((self.spans[s].lat for s in every if self.spans[s].lat is not None), None)
            common_of = [self._most_common(every, f) for f in range(len(_FIELDS))]
            n_docs = sum(self.spans[s].docs for s in every) + sum(
                1 for ss in self.multi_docs.values() if not ss.isdisjoint(inside))
            n_sources = sum(self.spans[s].groups for s in every) + sum(
                1 for ss in self.multi_groups.values() if not ss.isdisjoint(inside))
            out.append({
                "fact_id": fact_id, "key_id": kid, "indicator": key[0], "adcode": adcode,
                "place": common_of[0], "province": common_of[1], "period": key[2], "period_start": common_of[2],
                "kind": key[3], "unit": key[4], "direction": head[4], "sector": common_of[3],
                "value": head[2], "value_high": head[3], "approx": head[5],
                "status": "agreed" if agreed else "conflict", "ambiguous": ambiguous, "n_values": len(part),
                "value_list": value_list, "n_claims": sum(self.spans[s].n for s in every),
                "n_documents": n_docs, "n_sources": n_sources,
                "lat": None if lat is None else lat[1], "lon": None if lat is None else lat[2], "updated_at": now})
        return out, where

    def _best(self, cluster: list[tuple]) -> tuple:
        # agreement.best: narrowest interval, exact first, earliest claim.
        # Every interval has a best once a member states it.
        return min(((s[1] - s[0], *self.spans[s].best[:2]), self.spans[s].best)  # type: ignore[index]
                   for s in cluster)[1]  # type: ignore[return-value]

    def _most_common(self, every: list[tuple], f: int):
        # facts._most_common over the members in interval order: most frequent, ties to the first seen
        # (the earliest interval stating the value, then its lowest claim id).
        if len(every) == 1:  # most facts: one interval's counts are the totals
            counts = self.spans[every[0]].fields[f]
            if len(counts) < 2:
                return next(iter(counts), None)
            return min(counts.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[0]
        total: dict = {}
        for rank, s in enumerate(every):
            for v, (n, cid) in self.spans[s].fields[f].items():
                got = total.get(v)
                if got is None:
                    total[v] = [n, (rank, cid)]
                else:
                    got[0] += n
        if not total:
            return None
        return min(total.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[0]


class _Cache:
    __slots__ = ("gen", "grouped", "keys", "small")

    def __init__(self, gen: int, grouped: int, small: set | None):
        self.gen, self.grouped = gen, grouped
        self.keys: dict[tuple, KeyState] = {}
        self.small = small  # ids of keys with member rows and no kept state; None: not known

    def unkept(self, kid: str) -> None:
        """A key that has member rows but no kept state."""
        if self.small is not None:
            self.small.add(kid)
            if len(self.small) > MAX_SMALL:
                self.small = None


_CACHES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # connection → _Cache
_GEN: dict = {}  # database file (None: in-memory) → generation, bumped by every fact update in this process


def forget(con) -> None:
    """Another kind of update (reviews, re-extraction, a rebuild) is changing the facts: distrust every state."""
    from .store import db_path

    path = db_path(con)
    _GEN[path] = _GEN.get(path, 0) + 1
    _CACHES.pop(con, None)


def _cache(con, grouped: int | None) -> _Cache:
    from .store import db_path

    path = db_path(con)
    gen = _GEN.get(path, 0)
    cache = _CACHES.get(con)
    if cache is not None and cache.gen == gen and cache.grouped == grouped:
        return cache
    grouped, members = con.execute("SELECT (SELECT count(*) FROM doc_groups), (SELECT count(*) FROM fact_members)"
                                   ).fetchone()
    _GEN[path] = gen + 1  # this connection's next state is the newest; other connections' are not
    cache = _CACHES[con] = _Cache(gen + 1, grouped, set() if members == 0 else None)
    return cache


def _span(c: dict) -> tuple:
    return agreement.interval(c["quote"], c["value"], c["value_high"], c["approx"] or "exact", c["direction"],
                              c["kind"])


def _by_doc(claims: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for c in claims:
        out.setdefault(c["doc_id"], []).append(c)
    return out


def update(con, given: dict, signatures: dict, grouped) -> dict:
    """facts._update for a batch of new documents in a store without reviews."""
    try:
        return _update(con, given, signatures, grouped)
    except BaseException:
        _CACHES.pop(con, None)  # half-updated states
        raise


def _update(con, given: dict, signatures: dict, grouped) -> dict:
    cache = _cache(con, grouped)
    grouped = cache.grouped
    new: dict[tuple, list[dict]] = {}
    for cs in given.values():
        for c in cs:
            k = facts.fact_key(c)
            if k is not None:
                new.setdefault(k, []).append(c)
    kids = {k: facts.key_id(k) for k in new}
    # Intervals only for keys kept as states: most keys hold one or two claims and go to
    # facts.build_facts, which needs none for one claim and makes its own for more (corpus in batches
    # of 20: 154 intervals a batch were made, 19 used).
    spans = {k: [_span(c) for c in new[k]] for k in new if k in cache.keys}
    # A cached key gaining an interval that cannot meet itself goes the general way: read it back.
    for k, ss in spans.items():
        if any(agreement.meet(s, s) is None for s in ss):
            del cache.keys[k]
            cache.unkept(kids[k])
    missing = {kids[k]: k for k in new if k not in cache.keys}
    ask = list(missing) if cache.small is None else [kid for kid in missing if kid in cache.small]
    rows = con.execute("SELECT key_id, doc_id, claim_id, group_id, fact_id, value_cluster FROM fact_members "
                       "WHERE key_id IN (SELECT unnest(?::VARCHAR[]))", [ask]).fetchall() if ask else []
    old = {r[2]: r for r in rows}
    groups = dedupe.place(con, [(d, signatures.get(d)) for d in sorted(given)], grouped)
    states, stored, slow = {}, set(), {}
    read: dict[tuple, list[dict]] = {}
    for c in facts._by_ids(con, "claim_id", sorted(old), False):
        read.setdefault(missing[old[c["claim_id"]][0]], []).append(c)
    # A member row whose claim is gone (never expected without reviews) goes, as facts._update drops it.
    lost = set(old) - {c["claim_id"] for cs in read.values() for c in cs}
    for k in new:
        if k not in cache.keys and len(read.get(k, ())) + len(new[k]) < MIN_CACHED:
            slow[k] = read.get(k, []) + new[k]  # too small to keep: facts.build_facts is quicker
            continue
        if k not in spans:
            spans[k] = [_span(c) for c in new[k]]
        if k in cache.keys:
            states[k] = cache.keys[k]
            if states[k].spans:
                stored.add(kids[k])
            continue
        st = KeyState()
        members = read.get(k, [])
        for did, cs in _by_doc(members).items():
            st.add_doc(old[cs[0]["claim_id"]][3], cs, [_span(c) for c in cs])
        if members:
            stored.add(kids[k])
            for s, sp in st.spans.items():  # the rows as stored; mixed rows (never expected) all move
                sp.stored = len(sp.cids)
                marks = {old[cid][4:6] for cid in sp.cids}
                sp.assigned = marks.pop() if len(marks) == 1 else None
        states[k] = st
    for k, cs in new.items():
        if k in slow:
            continue
        st, sp_of = states[k], dict(zip(map(id, cs), spans[k]))
        for did, mine in _by_doc(cs).items():
            st.add_doc(groups.get(did, did), mine, [sp_of[id(c)] for c in mine])
        if st.degenerate:
            slow[k] = read.get(k, []) + cs
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    out_facts, out_rows, moved = [], [], []
    member_of = facts._MEMBER_OF
    for k in sorted(new):
        kid = kids[k]
        if k in slow:  # every member row of the key rewritten, as facts.build_facts makes them
            back = read.get(k)
            grp = groups  # build_facts only reads it: a copy only when stored members add their groups
            if back:
                stored.add(kid)
                grp = {old[c["claim_id"]][1]: old[c["claim_id"]][3] for c in back}
                grp.update(groups)
            f, r = facts.build_facts(k, slow[k], grp, now)
            out_facts += f
            out_rows += r
            cache.keys.pop(k, None)
            cache.unkept(kid)
            continue
        st = states[k]
        f, where = st.emit(k, kid, now)
        out_facts += f
        for s, sp in st.spans.items():
            if sp.stored and sp.assigned != where[s]:
                fid, i = where[s]
                moved += [(cid, fid, i) for cid in sp.cids[:sp.stored]]
        for c, s in zip(new[k], spans[k]):
            fid, i = where[s]
            cid, did = member_of(c)
            out_rows.append((fid, kid, cid, did, groups.get(did, did), i))
        for s, sp in st.spans.items():
            sp.stored, sp.assigned = len(sp.cids), where[s]
        cache.keys.pop(k, None)
        if sum(sp.n for sp in st.spans.values()) >= MIN_CACHED:
            cache.keys[k] = st  # re-inserted: the dict's order is the order of last use
            if cache.small is not None:
                cache.small.discard(kid)
        else:
            cache.unkept(kid)
    if stored:
        con.execute("DELETE FROM facts WHERE key_id IN (SELECT unnest(?::VARCHAR[]))", [sorted(stored)])
    gone = [c["claim_id"] for k in slow for c in read.get(k, ())]
    if gone:
        con.execute("DELETE FROM fact_members WHERE claim_id IN (SELECT unnest(?::BIGINT[]))", [gone])
    if lost:
        con.execute("DELETE FROM fact_members WHERE claim_id IN (SELECT unnest(?::BIGINT[]))", [sorted(lost)])
    if moved:
        con.execute("UPDATE fact_members SET fact_id = u.f, value_cluster = u.i FROM (SELECT unnest(?::BIGINT[]) "
                    "AS cid, unnest(?::VARCHAR[]) AS f, unnest(?::INTEGER[]) AS i) u WHERE claim_id = u.cid",
                    [list(x) for x in zip(*moved)])
    facts._insert_rows(con, out_facts, out_rows)
    while len(cache.keys) > MAX_KEYS:
        dropped = next(iter(cache.keys))
        del cache.keys[dropped]
        cache.unkept(facts.key_id(dropped))
    cache.grouped = grouped + len(given)  # place() added one row per document
    return {"documents": len(given), "keys": len(new), "facts": len(out_facts)}
