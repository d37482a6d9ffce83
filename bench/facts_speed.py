"""What the fact layer does to the shared corpus, and what it adds to ingest time.

    python bench/facts_speed.py [--batch N] [--rounds R] [--reprints K]

The corpus (../shared/corpus/articles.jsonl, with the dev documents) is ingested in batches, in
process (one worker), as `python -m indicators ingest` does.  The fact layer's cost is measured
two ways, each as wall and as CPU time (this process, all its threads: what other jobs on a shared
machine blur least), target at most 20 %:

  timed   inside each run: `update_facts` (store.write_documents calls it in its transaction) plus
          every near-duplicate signature (`dedupe.signatures_bytes`), against the rest of the run.
          The extraction workers make the signatures now; with several workers that CPU runs in
          parallel, but it is counted here in full, so the figure compares with runs from before
          the signatures moved out of update_facts.
  A/B     whole runs with the fact layer against runs without it (update_facts, the signatures and
          the claim records handed to it made no-ops), interleaved: this also catches what the
          timed sections miss, such as the larger commit.

Each round starts from cold word segmentations (the extractor's memo of them cleared), as an
ingest of articles it has not seen does; --warm keeps them from round to round.

A second pass adds K reprints (the same text under another title with a stock quote injected) to
show sources collapsing.  Reported: claims, claims in facts, facts, conflicts, ambiguous keys,
near-duplicate groups, and the full-rebuild time.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "articles.jsonl"
DEV = SHARED / "eval" / "dev" / "docs"
STOCK = "上海电气(4.990, 0.03, 0.60%)"


def sources(reprints: int) -> list:
    """The corpus and dev documents as Sources, then `reprints` reprinted corpus articles."""
    from dataclasses import replace

    from data.ingest import iter_inputs

    items = [s for s in iter_inputs([CORPUS, DEV]) if hasattr(s, "text")]
    extra = []
    for s in items[:reprints]:
        cut = s.text.find("，") + 1 or len(s.text) // 2
        extra.append(replace(s, name=s.name + "_reprint", title="转载", url=None,
                             text="转载\n" + s.text[:cut] + STOCK + s.text[cut:]))
    return items + extra


def _now() -> tuple[float, float]:
    # Wall time, and this process's CPU time (all its threads): the second is what the other
    # engineers' jobs on this shared machine do not blur, so both are reported.
    return time.perf_counter(), time.process_time()


def _since(t0: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _now()
    return wall - t0[0], cpu - t0[1]


def one_round(items: list, batch: int, layer: bool = True, cold: bool = True) -> dict:
    """Ingest the items into a fresh store in batches; timings, and (with the layer) what it built."""
    from data import dedupe, facts, store
    from data.ingest import run
    from indicators import indicator

    # Real ingest meets text it has not seen: forget the previous round's segmentations, or every
    # round after the first extracts from a warm cache and the layer's share of the time looks
    # larger than it is on fresh articles (corpus, batches of 20: ingest 0.30 s warm, 0.37 s cold).
    if cold:
        indicator._tokens.cache_clear()
        indicator._sector_in.cache_clear()

    # Ingest keeps facts itself (store.write_documents calls update_facts in its transaction, the
    # workers make the signatures): time both inside the ingest, so "ingest" is the rest of it.
    spent = {"facts": [0.0, 0.0], "signatures": [0.0, 0.0]}
    originals = facts.update_facts, dedupe.signature_bytes, dedupe.signatures_bytes, facts.claim_records
    depth = [0]  # a signature made inside update_facts, or inside a batch of them, is timed already

    def timed(what: str, fn):
        def run_timed(*args, **kwargs):
            if depth[0]:
                return fn(*args, **kwargs)
            t0 = _now()
            depth[0] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                for i, d in enumerate(_since(t0)):
                    spent[what][i] += d
        return run_timed

    if layer:
        facts.update_facts = timed("facts", originals[0])
        dedupe.signature_bytes = timed("signatures", originals[1])
        dedupe.signatures_bytes = timed("signatures", originals[2])
    else:
        facts.update_facts = lambda *args, **kwargs: {"documents": 0, "keys": 0, "facts": 0}
        dedupe.signature_bytes, facts.claim_records = (lambda text: None), (lambda *args: {})
        dedupe.signatures_bytes = lambda texts: [None] * len(texts)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            con = store.connect(Path(tmp) / "bench.duckdb")
            total = [0.0, 0.0]
            for i in range(0, len(items), batch):
                t0 = _now()
                run(iter(items[i:i + batch]), con=con, workers=1, progress=False)
                total = [a + b for a, b in zip(total, _since(t0))]
            out = {"total_s": total[0], "cpu_total_s": total[1]}
            for i, clock in enumerate(("", "cpu_")):  # before the rebuild, which makes signatures too
                update_s, sign_s = spent["facts"][i], spent["signatures"][i]
                out.update({f"{clock}ingest_s": total[i] - update_s - sign_s, f"{clock}update_s": update_s,
                            f"{clock}signatures_s": sign_s, f"{clock}facts_s": update_s + sign_s})
            if layer:
                incremental = con.execute("SELECT fact_id, status, n_sources FROM facts ORDER BY fact_id").fetchall()
                t0 = time.perf_counter()
                facts.rebuild_facts(con)
                t_rebuild = time.perf_counter() - t0
                same = incremental == con.execute(
                    "SELECT fact_id, status, n_sources FROM facts ORDER BY fact_id").fetchall()
                out.update({**facts.summary(con), "rebuild_s": t_rebuild, "incremental_equals_rebuild": same})
            con.close()
    finally:
        facts.update_facts, dedupe.signature_bytes, dedupe.signatures_bytes, facts.claim_records = originals
    return out


def main(argv=None) -> int:
    """Run the benchmark; prints one block per scenario."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=20, help="documents per ingest batch (default 20)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds with and without the layer (default 5)")
    ap.add_argument("--reprints", type=int, default=20)
    ap.add_argument("--warm", action="store_true",
                    help="keep word segmentations from round to round (as before: extraction looks cheaper)")
    args = ap.parse_args(argv)
    if not CORPUS.exists():
        print(f"error: shared corpus not found at {CORPUS}", file=sys.stderr)
        return 1
    one_round(sources(0)[:5], args.batch)  # warm-up: extractor, gazetteer and OpenCC data loaded once
    for label, reprints in (("corpus + dev docs", 0), (f"… + {args.reprints} reprints", args.reprints)):
        items = sources(reprints)
        rounds, without = [], []
        for _ in range(args.rounds):  # interleaved, so that the machine's load hits both alike
            rounds.append(one_round(items, args.batch, cold=not args.warm))
            without.append(one_round(items, args.batch, layer=False, cold=not args.warm))
        r = rounds[-1]
        print(f"== {label}: {len(items)} documents, batches of {args.batch}, median of {args.rounds} rounds")
        print(f"claims {r['claims']}, in facts {r['claims_in_facts']} "
              f"({r['claims'] - r['claims_in_facts']} lack indicator, period or place) → facts {r['facts']}; "
              f"conflicts {r['conflicts']}, ambiguous keys {r['ambiguous_keys']}, "
              f"facts with ≥2 sources {r['multi_source_facts']}")
        print(f"documents {r['documents']} in {r['groups']} near-duplicate groups")
        for clock, name in (("", "wall"), ("cpu_", "CPU")):
            med = {k: statistics.median(x[clock + k] for x in rounds)
                   for k in ("ingest_s", "update_s", "signatures_s")}
            ratio = statistics.median(x[clock + "facts_s"] / x[clock + "ingest_s"] for x in rounds)
            on, off = (statistics.median(x[clock + "total_s"] for x in xs) for xs in (rounds, without))
            print(f"{name:>4} timed: ingest {med['ingest_s']:.2f} s; fact layer: update_facts {med['update_s']:.3f} s "
                  f"+ signatures (made in the workers) {med['signatures_s']:.3f} s → adds {ratio:.1%} "
                  f"(target ≤ 20%); update_facts alone {med['update_s'] / med['ingest_s']:.1%}")
            print(f"{name:>4} A/B:   ingest with the fact layer {on:.2f} s, without {off:.2f} s → adds "
                  f"{on / off - 1:.1%}")
        print(f"full rebuild {statistics.median(x['rebuild_s'] for x in rounds):.3f} s; "
              f"incremental == rebuild: {all(x['incremental_equals_rebuild'] for x in rounds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
