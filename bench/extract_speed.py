"""Extraction speed over real article text, beside a plain number scan in the same run.

    python bench/extract_speed.py [--mb 5] [--no-geo]

Reads ../shared/corpus/articles.jsonl (repeated to reach --mb megabytes), times
`indicators.extract` article by article in one process, and in the same run a baseline: one
`regex` finditer pass of a plain number pattern over the same text.  Prints characters per
second for both and their ratio; machines are noisy, so compare ratios, not seconds.
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
    ap.add_argument("--no-geo", action="store_true", help="time extraction without place linking")
    args = ap.parse_args()

    import regex

    import indicators

    extract_module = sys.modules["indicators.extract"]
    if args.no_geo:
        extract_module._link = lambda text, claims, published: claims
    docs = load(args.mb)
    chars = sum(len(t) for t, _ in docs)
    mb = sum(len(t.encode("utf-8")) for t, _ in docs) / 1024 / 1024

    indicators.extract(docs[0][0], published=docs[0][1])  # load rules, jieba and the gazetteer once

    plain = regex.compile(r"\d+(?:[.,]\d+)*")
    t0 = time.perf_counter()
    hits = sum(1 for text, _ in docs for _ in plain.finditer(text))
    base = time.perf_counter() - t0

    t0 = time.perf_counter()
    claims = sum(len(indicators.extract(text, published=pub)) for text, pub in docs)
    ext = time.perf_counter() - t0

    print(f"text: {mb:.2f} MB, {chars:,} characters in {len(docs):,} articles")
    print(f"baseline regex scan: {mb / base:8.2f} MB/s  ({hits:,} numbers)")
    print(f"extractor{' (no geo)' if args.no_geo else ''}: {mb / ext:8.2f} MB/s  ({claims:,} claims)")
    print(f"extractor / baseline time: {ext / base:.1f}x slower")


if __name__ == "__main__":
    main()
