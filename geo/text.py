"""Where clauses, sentences, paragraphs and sections of a text begin and end."""
from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

# Characters that end a clause or a sentence; the unit begins after them. Every sentence end
# is a clause end too (geo.link relies on it).
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
def _end_flags() -> np.ndarray:
    """By code point: 1 for a clause end, 2 more for a sentence end (every sentence end ends a
    clause too)."""
    flags = np.zeros(0x110000, dtype=np.uint8)
    for ch in _CLAUSE_END:
        flags[ord(ch)] |= 1
    for ch in _SENTENCE_END:
        flags[ord(ch)] |= 3
    return flags


def _boundaries(codes: np.ndarray) -> tuple[list[int], list[int]]:
    """Clause and sentence boundaries: 0 and the offset after every clause (sentence) end."""
    flags = _end_flags().take(codes)  # methods: on short texts numpy's wrapper functions cost more
    clauses = flags.nonzero()[0]
    sentences = clauses[flags[clauses] >= 2]
    clauses += 1
    sentences += 1
    return [0] + clauses.tolist(), [0] + sentences.tolist()


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
    clauses, sentences = _boundaries(codes)
    return Layout(clauses, sentences, paragraphs, sections, frozenset(headings), len(text))
