"""Words and part-of-speech tags of a short window, as `jieba.posseg.lcut(s, HMM=False)` gives them.

The same dictionary, the same DAG, the same route (ties and float sums included), without jieba's
generator layers, `pair` objects and per-call logarithms: on the 5–20-character windows the
indicator finder segments, that per-call overhead is most of jieba's cost.  tests/test_wordcut.py
checks the output against jieba's own on real windows and random strings.  The domain words of
rules/words.yaml are added to jieba's own dictionary, so both cut them alike.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import marshal
import os
import re
import sys
from functools import cache
from math import log
from pathlib import Path

# jieba.posseg's own patterns (jieba 0.42.1), so that blocks split exactly as there.
_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+)")
_SKIP = re.compile("(\r\n|\\s)")
_ENG = re.compile("[a-zA-Z0-9]+")
_NUM = re.compile("[\\.0-9]+")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # re_eng1


@cache
def _dictionary() -> tuple[dict[str, int], dict[str, str], float, dict[str, float]]:
    """jieba's word frequencies and tags with the domain words added, from a cache file when one
    was made for the same jieba dictionary, words.yaml and Python (jieba reads its own cache and
    then dict.txt again for the tags: about 1.3 s of every process's start; one marshal load, 0.3 s)."""
    path = _cache_path()
    try:
        freq, tags, logtotal = marshal.loads(path.read_bytes())
        if isinstance(freq, dict) and isinstance(tags, dict) and isinstance(logtotal, float):
            return freq, tags, logtotal, {}
    except (OSError, ValueError, EOFError, TypeError):
        pass  # none yet, unreadable or from another version: made again below
    freq, tags, logtotal = _from_jieba()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((freq, tags, logtotal)))
        os.replace(tmp, path)  # whole or not at all: a reader never sees half a file
    except OSError:
        pass  # a read-only home: every start reads jieba's files, as without the cache
    return freq, tags, logtotal, {}


@cache  # once: add_word raises jieba's total frequency on every call, even for a word it has
def jieba_tokenizer():
    """jieba.posseg's tokenizer with the domain words of rules/words.yaml added (what lcut mirrors)."""
    import jieba
    import jieba.posseg

    from . import rules

    jieba.setLogLevel(60)
    jieba.initialize()
    words = rules.require(rules.load("words"), "words", dict, "words")
    for word, tag in words.items():
        if not isinstance(tag, str) or not tag.isalpha():
            raise rules.RuleError(f"{rules.RULES_DIR}/words.yaml: word {word!r} needs a tag, not {tag!r}")
        jieba.add_word(word, tag=tag)  # frequency as jieba suggests: the word outweighs its characters
    tokenizer = jieba.posseg.dt
    tokenizer.makesure_userdict_loaded()
    return tokenizer


def _from_jieba() -> tuple[dict[str, int], dict[str, str], float]:
    tokenizer = jieba_tokenizer()
    return tokenizer.tokenizer.FREQ, tokenizer.word_tag_tab, log(tokenizer.tokenizer.total)


def _cache_path() -> Path:
    """Where the dictionary cache lives, named for everything its content depends on."""
    from . import rules

    spec = importlib.util.find_spec("jieba")
    folder = Path(spec.origin).parent if spec and spec.origin else Path(".")
    dict_file = folder / "dict.txt"
    try:
        stat = dict_file.stat()
        stamp = f"{dict_file}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        stamp = "no-dict"
    key = hashlib.sha1("\n".join([
        importlib.metadata.version("jieba"), stamp, sys.version,
        (rules.RULES_DIR / "words.yaml").read_text(encoding="utf-8"), _CACHE_FORMAT,
    ]).encode("utf-8")).hexdigest()[:16]
    base = os.environ.get("ATLAS_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "indicator-atlas" / f"wordcut-{key}.marshal"


_CACHE_FORMAT = "1"  # bump when what the cache holds changes shape


def lcut(sentence: str) -> list[tuple[str, str]]:
    """(word, flag) pairs of `sentence`, identical to jieba.posseg.lcut(sentence, HMM=False)."""
    out: list[tuple[str, str]] = []
    for blk in _HAN.split(sentence):
        if not blk:
            continue
        if _HAN.match(blk):
            _cut_block(blk, out)
            continue
        for x in _SKIP.split(blk):
            if not x:
                continue
            if _SKIP.match(x):
                out.append((x, "x"))
                continue
            eng = _ENG.match(x) is not None
            for ch in x:
                out.append((ch, "m" if _NUM.match(ch) else "eng" if eng else "x"))
    return out


def _cut_block(sentence: str, out: list[tuple[str, str]]) -> None:
    freq, tags, logtotal, logp = _dictionary()
    n, get = len(sentence), freq.get
    score = [0.0] * (n + 1)  # best log-probability of the rest of the block from each position
    end = [0] * (n + 1)      # where the best first word from each position ends (inclusive)
    for k in range(n - 1, -1, -1):
        best, best_i = None, k
        i, frag = k, sentence[k]
        while True:
            f = get(frag)
            if f is None:
                break
            if f:
                p = logp.get(frag)
                if p is None:
                    p = logp[frag] = log(f) - logtotal
                p += score[i + 1]
                if best is None or p >= best:  # ties go to the longer word, as max() over (p, i)
                    best, best_i = p, i
            i += 1
            if i >= n:
                break
            frag = sentence[k:i + 1]
        if best is None:  # no dictionary word starts here: the character alone (frequency 1)
            best = log(freq.get(sentence[k]) or 1) - logtotal + score[k + 1]
        score[k], end[k] = best, best_i
    x, buf = 0, ""
    while x < n:
        y = end[x] + 1
        word = sentence[x:y]
        if y - x == 1 and word in _ALNUM:
            buf += word
        else:
            if buf:
                out.append((buf, "eng"))
                buf = ""
            out.append((word, tags.get(word, "x")))
        x = y
    if buf:
        out.append((buf, "eng"))


def word_entry(s: str) -> tuple[int, str | None]:
    """The dictionary's frequency and tag of `s` (0 and None for a string that is no word)."""
    freq, tags = _dictionary()[:2]
    return freq.get(s) or 0, tags.get(s)
