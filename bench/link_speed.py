#!/usr/bin/env python3
"""How much place linking adds to extraction, measured in one run on the bench corpus.

    python bench/link_speed.py [--repeat 3]

Corpus: ../shared/corpus/articles.jsonl and ../shared/eval/dev/docs (read at run time).
Baseline: indicators.extract over the corpus with geo.places switched off (the extractor asks
it for the places of its claims' spans before building them). Linking: geo.places on the
extractor's spans, timed on its own, and geo.link (which copies claim-like records with their
places: what a caller outside the extractor uses), also with one span at every number in the
text (a worst case for the per-claim part). Prints throughputs and the ratio linking /
extraction; the budget is 0.30.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT / ".." / "shared"

NUMBER = re.compile(r"\d+(?:\.\d+)?")


from geo import Span  # noqa: E402  the fields geo.link reads and writes


def corpus() -> list[str]:
    """Every bench text available beside the checkout."""
    texts = []
    path = SHARED / "corpus" / "articles.jsonl"
    if path.exists():
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "eval" / "dev" / "docs").glob("*.txt"))]
    return texts


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    texts = corpus()
    if not texts:
        print("no bench corpus beside the checkout (../shared)")
        return 2
    import geo
    import indicators

    t = time.perf_counter()
    geo.link("上海市普陀区", [Span(0, 2)])  # load tables and automaton once, outside the timings
    load = time.perf_counter() - t
    mb = sum(len(x.encode("utf-8")) for x in texts) / 1e6
    claims = [indicators.extract(x, link=False) for x in texts]  # baseline: extraction alone
    n_claims = sum(map(len, claims))
    spans = [[Span(m.start(), m.end()) for m in NUMBER.finditer(x)] for x in texts]
    n_spans = sum(map(len, spans))

    extract_s = best_of(args.repeat, lambda: [indicators.extract(x, link=False) for x in texts])
    link_s = best_of(args.repeat, lambda: [geo.link(x, c) for x, c in zip(texts, claims)])
    bounds = [[(c.start, c.end) for c in cs] for cs in claims]
    places_s = best_of(args.repeat, lambda: [geo.places(x, b) for x, b in zip(texts, bounds)])
    spans_s = best_of(args.repeat, lambda: [geo.link(x, s) for x, s in zip(texts, spans)])
    both_s = best_of(args.repeat, lambda: [indicators.extract(x) for x in texts])
    print(f"corpus: {len(texts)} texts, {mb:.2f} MB; one-off load of geo tables {load:.2f} s")
    print(f"extract: {extract_s:.3f} s ({mb / extract_s:.2f} MB/s), {n_claims} claims")
    print(f"link on the extractor's claims: {link_s:.3f} s ({mb / link_s:.2f} MB/s), ratio {link_s / extract_s:.2f} of extract")
    print(f"places (the values only, what the extractor asks for): {places_s:.3f} s "
          f"({mb / places_s:.2f} MB/s), ratio {places_s / extract_s:.2f} of extract")
    print(f"extract with linking: {both_s:.3f} s ({mb / both_s:.2f} MB/s), "
          f"{(both_s - extract_s) / extract_s:+.0%} over extraction alone")
    print(f"link with a span at every number ({n_spans}): {spans_s:.3f} s "
          f"({mb / spans_s:.2f} MB/s), ratio {spans_s / extract_s:.2f} of extract")
    return 0


if __name__ == "__main__":
    sys.exit(main())
