"""Extraction as run in worker processes: claims as plain tuples and a near-duplicate signature per
document, one error per failing document.

Importing this module loads the extractor's rule data and gazetteer (a first extraction), so that
the forkserver that preloads it hands every worker a warm extractor instead of each loading its own.
"""
from __future__ import annotations

from operator import attrgetter

from indicators import extract

from . import dedupe
from .store import CLAIM_FIELDS

_ROW = attrgetter(*CLAIM_FIELDS)  # one C call per claim, where a getattr per field costs 26 Python steps
_WARM_UP = "上海市宝山区今年前三季度规模以上工业增加值同比增长5.2%，完成固定资产投资120亿元。"


def claim_rows(text, published, name) -> list[tuple]:
    """The claims of one document as tuples in store.CLAIM_FIELDS order (they pickle fast)."""
    return list(map(_ROW, extract(text, published=published, doc=name)))


def extract_batch(tasks: list[tuple]) -> list[tuple[bool, object, bytes | None]]:
    """Extract claims for (text, published, name) tasks: (True, rows, signature) or (False, error, None) each.

    The signature is the document's near-duplicate MinHash (data/dedupe.py), made here beside the
    extraction so that the single writer does not have to; None if it failed (the writer then makes it).
    """
    out = []
    for text, published, name in tasks:
        try:
            out.append((True, claim_rows(text, published, name)))
        except Exception as err:  # one bad document must not sink the batch
            out.append((False, f"extractor failed: {type(err).__name__}: {err}"))
    # Signatures after all the extraction, not between documents, and all at once: a few numpy
    # passes for the batch, each loop keeping its own data in the CPU caches.
    sigs = _signatures([text for (ok, _), (text, _, _) in zip(out, tasks) if ok])
    return [(ok, result, next(sigs) if ok else None) for ok, result in out]


def _signatures(texts: list[str]):
    try:
        return iter(dedupe.signatures_bytes(texts))
    except Exception:  # the writer computes them again and reports what goes wrong there
        return iter([None] * len(texts))


try:
    extract(_WARM_UP)
    dedupe.signature_bytes(_WARM_UP)  # loads the stock-quote rule and the MinHash permutations
except Exception:  # a broken extractor is reported per document, where the message names it
    pass
