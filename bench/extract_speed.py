"""Extraction speed over real article text, beside a plain number scan in the same run.

    python bench/extract_speed.py [--mb 5] [--repeat 3]

Reads ../shared/corpus/articles.jsonl (repeated to reach --mb megabytes) and times, in one
process and interleaved so that machine noise hits all alike (best of --repeat rounds):
  - the baseline: one `regex` finditer pass of a plain number pattern over the same text;
  - extraction without place linking (`indicators.extract(..., link=False)`);
  - place linking alone (`geo.places` over the spans of the claims extraction found).
Prints MB/s for each and the ratios; compare ratios, not seconds.  The corpus repeats, so
jieba's segmentation cache (indicator.py) hits more often than on fresh text: the first round
is printed too as the cold figure.  The extractor runs as compiled by `python -m native.build` where
that build matches the sources; ATLAS_PURE_PYTHON=1 times the sources.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "articles.jsonl"
sys.path.insert(0, str(ROOT))


def load(mb: float) -> list[tuple[str, str | None]]:
    """Corpus articles, repeated until their text reaches `mb` megabytes (of UTF-8)."""
    if not CORPUS.is_file():
        sys.exit(f"bench: the shared corpus is not at {CORPUS}")
    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8") if line.strip()]
    docs, size, target = [], 0, mb * 1024 * 1024
    while size < target:
        for row in rows:
            docs.append((row["text"], row.get("published")))
            size += len(row["text"].encode("utf-8"))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0, help="megabytes of text to process")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; the best of them is reported")
    args = ap.parse_args()

    import regex

    import geo
    import indicators
    from indicators import indicator

    docs = load(args.mb)
    mb = sum(len(t.encode("utf-8")) for t, _ in docs) / 1024 / 1024
    indicators.extract(docs[0][0], published=docs[0][1])  # load rules, jieba and the gazetteer once
    geo.places(docs[0][0], [(0, 1)])
    plain = regex.compile(r"\d+(?:[.,]\d+)*")

    best = {"scan": [], "extract": [], "link": []}
    claims = []
    for round_no in range(args.repeat):
        indicator._tokens.cache_clear()
        t0 = time.perf_counter()
        hits = sum(1 for text, _ in docs for _ in plain.finditer(text))
        best["scan"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        claims = [indicators.extract(text, published=pub, link=False) for text, pub in docs]
        best["extract"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for (text, pub), found in zip(docs, claims):
            geo.places(text, [(c.start, c.end) for c in found])
        best["link"].append(time.perf_counter() - t0)

    scan, ext, link = (min(best[k]) for k in ("scan", "extract", "link"))
    n_claims = sum(len(c) for c in claims)
    import native

    code = "native build (mypyc)" if native.active(indicator) else "Python sources"
    print(f"text: {mb:.2f} MB in {len(docs):,} articles; {hits:,} plain numbers, {n_claims:,} claims; "
          f"extractor: {code}")
    print(f"baseline regex scan      {mb / scan:8.2f} MB/s")
    print(f"extraction (no linking)  {mb / ext:8.2f} MB/s   cold first round {mb / best['extract'][0]:.2f} MB/s")
    print(f"place linking alone      {mb / link:8.2f} MB/s")
    print(f"extraction + linking     {mb / (ext + link):8.2f} MB/s   "
          f"({(ext + link) / scan:.0f}x the baseline scan's time)")
    print(f"linking adds {100 * link / ext:.0f}% to extraction time")


if __name__ == "__main__":
    main()
