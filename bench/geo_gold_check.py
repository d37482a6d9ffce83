#!/usr/bin/env python3
"""Place linking against the dev gold, independent of the extractor.

Each gold claim becomes a claim-like object at its gold span; geo.link fills the place and
the result is compared with the gold place and province. Reads ../shared/eval/<set> at run
time (nothing of it is stored in the repository).

    python bench/geo_gold_check.py [--set dev] [-v]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geo  # noqa: E402

EVAL = ROOT / ".." / "shared" / "eval"


from geo import Span  # noqa: E402  the fields geo.link reads and writes


def load(folder: Path) -> tuple[dict[str, str], dict[str, list[tuple[dict, Span]]]]:
    """Documents by id, and gold rows with their spans grouped by document."""
    docs = {p.stem: p.read_text(encoding="utf-8") for p in sorted((folder / "docs").glob("*.txt"))}
    by_doc: dict[str, list[tuple[dict, Span]]] = {}
    for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        text, at = docs[g["doc"]], -1
        for _ in range(int(g.get("occurrence") or 1)):
            at = text.find(g["quote"], at + 1)
        if at < 0:
            raise SystemExit(f"gold quote {g['quote']!r} not found in {g['doc']}")
        by_doc.setdefault(g["doc"], []).append((g, Span(at, at + len(g["quote"]))))
    return docs, by_doc


def check(folder: Path, verbose: bool = False) -> dict:
    """Province and place accuracy of geo.link on gold spans."""
    docs, by_doc = load(folder)
    n = province = place = 0
    wrong = []
    for doc, items in by_doc.items():
        linked = geo.link(docs[doc], [s for _, s in items])
        for (g, _), c in zip(items, linked):
            n += 1
            province += c.province == g["province"]
            place += c.place == g["place"]
            if c.place != g["place"]:
                wrong.append(f"  {doc}:{c.start} {g['quote']}: gold {g['place']} got {c.place}")
    if verbose:
        print("\n".join(wrong))
    return {"claims": n, "province": province / n, "place": place / n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="dev")
    ap.add_argument("-v", action="store_true", help="list the wrong places")
    args = ap.parse_args()
    folder = Path(args.set) if Path(args.set).is_dir() else EVAL / args.set
    if not (folder / "gold.jsonl").exists():
        print(f"no gold set at {folder}")
        return 2
    r = check(folder, args.v)
    print(f"{r['claims']} gold claims: province accuracy {r['province']:.3f}, place accuracy {r['place']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
