"""Paragraph, sentence and clause boundaries of a text, for looking around a number."""
from __future__ import annotations

from bisect import bisect_right

import regex

_PARA = regex.compile(r"\n")
_SENT = regex.compile(r"[。！？!?\n]|(?<=[；;])\s")
# Brackets do not end a clause: 固定资产投资(不含农户)436530亿元 is one.
_CLAUSE = regex.compile(r"[，,。；;：:！？!?\n“”「」【】|]|(?<!\d)\.(?!\d)")


class Segments:
    """Boundaries of paragraphs, sentences and clauses; spans found by bisection."""

    __slots__ = ("text", "_para", "_sent", "_clause")

    def __init__(self, text: str):
        self.text = text
        self._para = [m.end() for m in _PARA.finditer(text)]
        self._sent = [m.end() for m in _SENT.finditer(text)]
        self._clause = [m.end() for m in _CLAUSE.finditer(text)]

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
