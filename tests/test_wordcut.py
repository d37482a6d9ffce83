"""`indicators.wordcut.lcut` must segment and tag exactly as `jieba.posseg.lcut(s, HMM=False)`."""
from __future__ import annotations

import json
import marshal
import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import wordcut

from .conftest import SHARED

CORPUS = SHARED / "corpus" / "articles.jsonl"
# Characters where the two could part: dictionary words and their prefixes, digits and Latin
# letters (jieba's "eng"/"m" runs), the symbols its block pattern keeps (+#&._), whitespace.
PIECES = ["固定资产投资", "地区生产总值", "同比增长", "粮食总产", "百分点", "亿元", "规模以上", "的", "了",
          "一", "十", "万", "a", "Z", "x1", "5G", "0", "3.5", ".", "+", "#", "&", "_", " ", "\n", "\r\n",
          "\t", "，", "。", "（", "）", "%", "－", "資產", "〇"]


@cache
def _tokenizer():
    return wordcut.jieba_tokenizer()  # jieba itself, with the domain words added


def _jieba(s: str) -> list[tuple[str, str]]:
    return [(p.word, p.flag) for p in _tokenizer().lcut(s, HMM=False)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=12).map("".join))
def test_same_as_jieba_on_any_string(s):
    assert wordcut.lcut(s) == _jieba(s)


def test_same_as_jieba_on_corpus_windows():
    if not CORPUS.is_file():
        pytest.skip(f"the shared corpus is not at {CORPUS} (it sits beside the checkout in CI)")
    rng = random.Random(7)
    texts = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8") if line.strip()]
    windows = []
    for text in texts:
        for _ in range(20):
            start = rng.randrange(len(text))
            windows.append(text[start:start + rng.randint(1, 30)])
    mismatches = [w for w in windows if wordcut.lcut(w) != _jieba(w)]
    assert not mismatches, f"{len(mismatches)} of {len(windows)} windows differ, e.g. {mismatches[:3]}"


def test_dictionary_cache_made_reused_and_repaired(tmp_path, monkeypatch):
    """The cache file is written on first use, read back to the same dictionary, and a broken file
    is replaced rather than trusted."""
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path))
    path = wordcut._cache_path()
    assert path.is_relative_to(tmp_path) and not path.exists()
    fresh = wordcut._from_jieba()
    try:
        wordcut._dictionary.cache_clear()
        assert wordcut._dictionary()[:3] == fresh and path.exists()
        assert marshal.loads(path.read_bytes()) == fresh
        path.write_bytes(b"\x00not marshal")
        wordcut._dictionary.cache_clear()
        assert wordcut._dictionary()[:3] == fresh
        assert marshal.loads(path.read_bytes()) == fresh
    finally:
        wordcut._dictionary.cache_clear()


def test_dictionary_cache_named_for_the_domain_words(tmp_path, monkeypatch):
    """A change to rules/words.yaml names another cache file: a stale one is never read."""
    from indicators import rules

    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path))
    before = wordcut._cache_path()
    words = rules.RULES_DIR / "words.yaml"
    text = words.read_text(encoding="utf-8")
    copy = tmp_path / "rules"
    copy.mkdir()
    (copy / "words.yaml").write_text(text + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(rules, "RULES_DIR", copy)
    assert wordcut._cache_path() != before
