"""Extraction as run in worker processes: claims as plain tuples, one error per failing document.

Importing this module loads the extractor's rule data and gazetteer (a first extraction), so that
the forkserver that preloads it hands every worker a warm extractor instead of each loading its own.
"""
from __future__ import annotations

from indicators import extract

from .store import CLAIM_FIELDS

_WARM_UP = "上海市宝山区今年前三季度规模以上工业增加值同比增长5.2%，完成固定资产投资120亿元。"


def claim_rows(text, published, name) -> list[tuple]:
    """The claims of one document as tuples in store.CLAIM_FIELDS order (they pickle fast)."""
    return [tuple(getattr(c, f) for f in CLAIM_FIELDS) for c in extract(text, published=published, doc=name)]


def extract_batch(tasks: list[tuple]) -> list[tuple[bool, object]]:
    """Extract claims for (text, published, name) tasks: (True, rows) or (False, error) each."""
    out = []
    for text, published, name in tasks:
        try:
            out.append((True, claim_rows(text, published, name)))
        except Exception as err:  # one bad document must not sink the batch
            out.append((False, f"extractor failed: {type(err).__name__}: {err}"))
    return out


try:
    extract(_WARM_UP)
except Exception:  # a broken extractor is reported per document, where the message names it
    pass
