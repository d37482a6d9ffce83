"""Numeric-claim extraction from Chinese economic text.

    >>> from indicators import extract
    >>> [c.quote for c in extract("黑龙江粮食总产1640亿斤")]
    ['1640亿斤']
"""
from .claim import Claim
from .extract import EXTRACTOR_VERSION, extract

__all__ = ["Claim", "extract", "EXTRACTOR_VERSION"]
