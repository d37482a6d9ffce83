"""Where clauses, sentences, paragraphs and sections of a text begin and end."""
from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

# Characters that end a clause or a sentence; the unit begins after them.
_CLAUSE_END = "，,：:；;。！？!?\n"
_SENTENCE_END = "。！？!?；;\n"
_FINAL_PUNCT = "。！？!?…」”』\"'"
HEADING_MAX = 64


@dataclass(frozen=True)
class Layout:
    """Sorted boundary offsets of each unit; a unit runs from one boundary to the next."""

    clauses: list[int]
    sentences: list[int]
    paragraphs: list[int]
    sections: list[int]
    headings: frozenset[int]      # start offsets of paragraphs that look like headings
    length: int

    # The four look-ups are spelled out rather than sharing a helper: they run for every claim
    # and mention, and the extra call was a tenth of linking's time.
    def clause(self, pos: int) -> tuple[int, int]:
        """(start, end) of the clause holding offset `pos`."""
        b = self.clauses
        i = bisect_right(b, pos)
        return b[i - 1] if i else 0, b[i] if i < len(b) else self.length

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding offset `pos`."""
        b = self.sentences
        i = bisect_right(b, pos)
        return b[i - 1] if i else 0, b[i] if i < len(b) else self.length

    def paragraph(self, pos: int) -> tuple[int, int]:
        """(start, end) of the paragraph (line) holding offset `pos`."""
        b = self.paragraphs
        i = bisect_right(b, pos)
        return b[i - 1] if i else 0, b[i] if i < len(b) else self.length

    def section(self, pos: int) -> tuple[int, int]:
        """(start, end) of the section (heading plus body) holding offset `pos`."""
        b = self.sections
        i = bisect_right(b, pos)
        return b[i - 1] if i else 0, b[i] if i < len(b) else self.length


@functools.cache
def _boundary_table(chars: str) -> np.ndarray:
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


def _after(chars: str, codes: np.ndarray) -> list[int]:
    """0 and the offset after every character of `chars` in the text with code points `codes`."""
    out = np.flatnonzero(_boundary_table(chars)[codes])
    out += 1
    return [0] + out.tolist()


def layout(text: str, codes: np.ndarray | None = None) -> Layout:
    """Split `text` into nested units; a short line without final punctuation is a heading.

    `codes` may pass the text's code points (uint32) when the caller has them already.
    """
    if codes is None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    paragraphs, headings, sections = [0], set(), [0]
    pos = 0
    for line in text.split("\n"):
        body = line.strip(" \t\u3000|*#■●◆▲【】")
        if body and len(body) <= HEADING_MAX and body[-1] not in _FINAL_PUNCT and "。" not in body:
            headings.add(pos)
            if sections[-1] != pos:
                sections.append(pos)
        pos += len(line) + 1
        paragraphs.append(pos)
    return Layout(_after(_CLAUSE_END, codes), _after(_SENTENCE_END, codes), paragraphs,
                  sections, frozenset(headings), len(text))
