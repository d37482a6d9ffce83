"""Offset-keeping text normalisation: traditional → simplified, full-width → ASCII, noise out.

The extractor matches on the normalised text and reports spans in the original text, so
`text[start:end] == quote` holds whatever was converted or dropped.
"""
from __future__ import annotations

import html
from functools import cache
from pathlib import Path

import numpy as np
import regex

# Pinyin that some mirror sites insert after a character (資產(chǎn)): a bracketed syllable
# with a tone mark right after a Han character.
_PINYIN = regex.compile(r"(?<=\p{Han})\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")
_ENTITY = regex.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_NOISE = regex.compile(f"{_PINYIN.pattern}|{_ENTITY.pattern}")


@cache
def _table() -> dict[int, str]:
    """One-character conversions: OpenCC's traditional→simplified and variant tables, full width."""
    import opencc

    folder = Path(opencc.__file__).with_name("dictionary")

    def one_to_one(name: str) -> dict[str, str]:
        out = {}
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2:
                src, dst = parts[0], parts[1].split(" ")[0]
                if len(src) == 1 and len(dst) == 1:
                    out[src] = dst
        return out

    # Variant forms go to OpenCC's standard traditional form first, then to simplified; a
    # simplified character that a variant table lists (户 → 戶) thus comes back to itself.
    variants = {**one_to_one("TWVariantsRev.txt"), **one_to_one("HKVariantsRev.txt")}
    to_simple = one_to_one("TSCharacters.txt")
    table: dict[int, str] = {}
    for src in set(variants) | set(to_simple):
        dst = variants.get(src, src)
        dst = to_simple.get(dst, dst)
        if dst != src:
            table[ord(src)] = dst
    for src, dst in _extra_variants().items():
        table[ord(src)] = dst
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    table[0x00A0] = " "
    for ch, to in (("—", "-"), ("－", "-"), ("～", "~"), ("–", "-"), ("﹪", "%")):
        table[ord(ch)] = to
    for ch in "．":
        table[ord(ch)] = "."
    return table


def _extra_variants() -> dict[str, str]:
    """rules/characters.yaml's variants, each checked to be one character to another."""
    from . import rules

    out = rules.load("characters").get("variants") or {}
    for src, dst in out.items():
        if not (isinstance(src, str) and isinstance(dst, str) and len(src) == 1 == len(dst) and src != dst):
            raise rules.RuleError(f"{rules.RULES_DIR / 'characters.yaml'}: variants: {src!r}: {dst!r} "
                                  "is not one character to another")
    return out


@cache
def _codes() -> np.ndarray:
    """`_table()` as an array indexed by code point (each conversion is one character to one)."""
    out = np.arange(0x110000, dtype=np.uint32)
    for code, to in _table().items():
        out[code] = ord(to)
    return out


def _translate(text: str) -> str:
    # `text.translate(_table())`, but str.translate looks every character up in the dict (a new
    # int key for each Han character): one array take converts the whole text ~8x faster.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _codes().take(codes).tobytes().decode("utf-32-le", "surrogatepass")


class Normalised:
    """Normalised text plus the map from its indices back to the original's."""

    __slots__ = ("original", "text", "_map")

    def __init__(self, original: str):
        self.original = original
        pieces: list[str] = []
        index: list[int] = []
        last = 0
        for m in _NOISE.finditer(original):
            pieces.append(original[last:m.start()])
            index.extend(range(last, m.start()))
            repl = _replacement(m)
            if repl == m.group():
                pieces.append(repl)
                index.extend(range(m.start(), m.end()))
            elif repl:
                pieces.append(repl)
                index.append(m.start())
            last = m.end()
        if last == 0:
            self.text = _translate(original)
            self._map = None  # identity: nothing was dropped
            return
        pieces.append(original[last:])
        index.extend(range(last, len(original)))
        self.text = _translate("".join(pieces))
        self._map = index

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span of normalised `text[start:end]`."""
        if self._map is None:
            return start, end
        return self._map[start], self._map[end - 1] + 1


def normalise(text: str) -> Normalised:
    """Normalise `text` for matching, keeping the way back to its offsets."""
    return Normalised(text)


def conversions() -> dict[int, str]:
    """The one-character conversions `normalise` applies (traditional → simplified, full width)."""
    return _table()


def drop_noise(text: str) -> str:
    """`text` with entities decoded and pinyin residue dropped as `normalise` does, no offset map."""
    return _NOISE.sub(_replacement, text) if _NOISE.search(text) else text


def _replacement(m) -> str:
    # As Normalised does: a one-character entity decoded, any other entity kept, pinyin dropped.
    found = m.group()
    if found.startswith("&"):
        repl = html.unescape(found)
        return repl if len(repl) == 1 and repl != found else found
    return ""


def strip_pinyin(text: str) -> str:
    """`text` without the bracketed pinyin some mirror sites insert (資產(chǎn) → 資產)."""
    return _PINYIN.sub("", text)
