"""Where clauses, sentences, paragraphs and sections of a text begin and end."""
from __future__ import annotations

from bisect import bisect_right
import re
from dataclasses import dataclass

_CLAUSE_END = re.compile(r"[，,：:；;。！？!?\n]")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
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


def _after(regex: re.Pattern, text: str) -> list[int]:
    return [0] + [m.end() for m in regex.finditer(text)]


def layout(text: str) -> Layout:
    """Split `text` into nested units; a short line without final punctuation is a heading."""
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
    return Layout(_after(_CLAUSE_END, text), _after(_SENTENCE_END, text), paragraphs,
                  sections, frozenset(headings), len(text))
