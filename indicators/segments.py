"""Paragraph, sentence and clause boundaries of a text, for looking around a number."""
from __future__ import annotations

from bisect import bisect_right
from functools import cache

import numpy as np
import regex

_SENTENCE_END = "。！？!?\n"
# Brackets do not end a clause: 固定资产投资(不含农户)436530亿元 is one.
_CLAUSE_END = "，,。；;：:！？!?\n“”「」【】|"
# The two ends that depend on their neighbours: a space after a semicolon ends a sentence, a
# full stop (not a decimal point) a clause.
_SPACE_AFTER_SEMICOLON = regex.compile(r"(?<=[；;])\s")
_FULL_STOP = regex.compile(r"(?<!\d)\.(?!\d)")


@cache
def _ends() -> np.ndarray:
    """By code point: 1 when the character ends a clause, 2 when it ends a sentence."""
    flags = np.zeros(0x110000, dtype=np.uint8)
    for ch in _CLAUSE_END:
        flags[ord(ch)] |= 1
    for ch in _SENTENCE_END:
        flags[ord(ch)] |= 2
    return flags


class Segments:
    """Boundaries of paragraphs, sentences and clauses; spans found by bisection."""

    __slots__ = ("text", "_para", "_sent", "_clause")

    def __init__(self, text: str):
        self.text = text
        # The single-character ends by one look-up over the code points: a regex scan built a
        # match object for each of them.
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ends = _ends().take(codes)
        self._para = (np.flatnonzero(codes == 10) + 1).tolist()
        self._sent = (np.flatnonzero(ends & 2) + 1).tolist()
        self._clause = (np.flatnonzero(ends & 1) + 1).tolist()
        spaces = [m.end() for m in _SPACE_AFTER_SEMICOLON.finditer(text)]
        if spaces:
            self._sent = sorted(set(self._sent).union(spaces))
        stops = [m.end() for m in _FULL_STOP.finditer(text)]
        if stops:
            self._clause = sorted(self._clause + stops)

    @staticmethod
    def _around(cuts: list[int], pos: int, size: int) -> tuple[int, int]:
        i = bisect_right(cuts, pos)
        start = cuts[i - 1] if i else 0
        end = cuts[i] if i < len(cuts) else size
        return start, end

    def paragraph(self, pos: int) -> tuple[int, int]:
        """Span of the paragraph (line) holding `pos`."""
        return self._around(self._para, pos, len(self.text))

    def sentence(self, pos: int) -> tuple[int, int]:
        """Span of the sentence holding `pos`."""
        return self._around(self._sent, pos, len(self.text))

    def clause_and_previous(self, pos: int) -> tuple[int, int, int]:
        """(start of the clause before, start, end) of the clause holding `pos`, by one bisection."""
        cuts = self._clause
        i = bisect_right(cuts, pos)
        end = cuts[i] if i < len(cuts) else len(self.text)
        return (cuts[i - 2] if i > 1 else 0), (cuts[i - 1] if i else 0), end

    def paragraphs(self) -> list[tuple[int, int]]:
        """Span of every paragraph, in order (a text ending in a newline ends on an empty one)."""
        cuts = self._para
        return list(zip([0, *cuts], [*cuts, len(self.text)]))

    def paragraph_at(self, pos: int) -> tuple[int, int]:
        """(index counting from 0, start) of the paragraph holding `pos`, by one bisection."""
        i = bisect_right(self._para, pos)
        return i, (self._para[i - 1] if i else 0)
