"""Numeric-claim extraction from Chinese economic text.

    >>> from indicators import extract
    >>> [c.quote for c in extract("黑龙江粮食总产1640亿斤")]
    ['1640亿斤']
"""
from native import use as _use_native

_use_native(__name__, __path__)  # the compiled build of these modules, if it matches them
from .claim import Claim  # noqa: E402
from .extract import EXTRACTOR_VERSION, extract  # noqa: E402

__all__ = ["Claim", "extract", "EXTRACTOR_VERSION"]
