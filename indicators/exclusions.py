"""Is a number mention a claim at all?  Ordinals, labels, group names, stock quotes, durations,
fixed phrases and abstract counts are not (GUIDELINES: what counts as a claim)."""
from __future__ import annotations

from functools import cache

import regex

from . import numerals, rules
from .scan import Mention, _alt

_NAME = "exclusions"
_NOT_LABEL = regex.compile(r"[\d达为是超过占完成实现]")
_ADJ_DE = regex.compile(r"^\p{Han}{1,4}?的")
_QUOTED_HEAD = regex.compile(r"[“\"「『]\p{Han}{1,4}$")  # a short name opened by a quote, up to here
_HEAD_END = regex.compile(r"[，,。；;、：:！？!?（）()“”\s]")


@cache
def _conf():
    data = rules.load(_NAME)
    money = rules.require(rules.load("units"), "implied_money", dict, "units")
    return {
        "stock": regex.compile(rules.require(data, "stock_quote", str, _NAME)),
        "furniture": regex.compile(rules.require(data, "page_furniture", str, _NAME)),
        # 一起 is a word, but 三十一起 counts 31 incidents: a phrase right after a Chinese numeral is
        # none.  An Arabic digit never joins a Chinese numeral (2011-2015三次产业 is still the phrase).
        "phrases": regex.compile(f"(?<![{numerals.digit_chars()}])"
                                 f"(?:{_alt(rules.word_list(_NAME, 'phrases') + _numeral_places())})"),
        "digit_places": frozenset(p for p in _numeral_places() if any(ch.isascii() and ch.isdigit() for ch in p)),
        "ordinal_before": rules.word_list(_NAME, "ordinal_before"),
        "top_before": rules.word_list(_NAME, "top_n_before"),
        "address_before": rules.word_list(_NAME, "address_before"),
        "address_units": frozenset(rules.word_list(_NAME, "address_units")),
        "top_units": frozenset(rules.word_list(_NAME, "top_n_units")),
        # By first character: a general mention's unit is followed by one of some 80 words
        # only where its first character is theirs.
        "count_not_before": _by_first(rules.word_list(_NAME, "count_not_before")),
        "label_after": rules.word_list(_NAME, "label_after"),
        "unit_label_after": rules.word_list(_NAME, "unit_label_after"),
        "milestones": rules.word_list(_NAME, "milestones"),
        "label_heads": rules.word_list(_NAME, "label_heads"),
        "quote_open": rules.require(data, "quoted_name", dict, _NAME)["open"],
        "quote_close": rules.require(data, "quoted_name", dict, _NAME)["close"],
        "quoted_name_tail": int(rules.require(data, "quoted_name", dict, _NAME)["max_tail"]),
        "threshold": regex.compile(f"的(?:{_alt(rules.word_list(_NAME, 'threshold_heads'))})(?![\\d])"),
        "label_run": regex.compile(f"\\p{{Han}}{{0,4}}?(?:{_alt(rules.word_list(_NAME, 'label_heads'))})"),
        "abstract": regex.compile(_alt(rules.word_list(_NAME, "abstract_nouns"))),
        "lone_numerals": rules.word_list(_NAME, "lone_numerals_not_counts"),
        "ge_concrete": rules.word_list(_NAME, "chinese_ge_concrete"),
        "ge_units": rules.word_list(_NAME, "chinese_ge_units"),
        "money_unit": money["unit"],
        "counter_not_before": tuple(rules.require(rules.load("units"), "bare_counters", dict, "units")["not_before"]),
        "money_mags": set(money["magnitudes"]),
        "money_cue_mags": set(money["with_cue_magnitudes"]),
        "money_cues": regex.compile(_alt(money["cues"])),
    }


def _by_first(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for w in words:
        out.setdefault(w[0], []).append(w)
    return {ch: tuple(ws) for ch, ws in out.items()}


def _numeral_places() -> tuple[str, ...]:
    """Names from geo's gazetteer that hold a count-like numeral: counties and cities that open
    with a numeral and a unit (三台县, 七台河, 四平市: 三台 is no count of machines) and regions
    named with a number (大湾区内地9市: a name, not a count of cities)."""
    from geo import names

    spellings, lead, places = rules.unit_spellings(), set(numerals.leading_chars()), names.places()
    digits = set("0123456789") | lead
    out = []
    for key, entries in names.aliases().items():
        if len(key) >= 3 and key[0] in lead and any(key[1:1 + n] in spellings for n in (1, 2)):
            if any(e.kind == "place" and places[e.target].level in ("city", "county") for e in entries):
                out.append(key)
        elif any(e.kind == "region" for e in entries) and any(ch in digits for ch in key[1:]):
            out.append(key)
    return tuple(sorted(out))


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans no claim may touch: stock quotes, page furniture and fixed phrases holding numerals."""
    conf = _conf()
    spans = [m.span() for m in conf["stock"].finditer(text)]
    spans += [m.span() for m in conf["furniture"].finditer(text)]
    spans += [m.span() for m in conf["phrases"].finditer(text)]
    return sorted(spans)


def name_ends(text: str, masked: list[tuple[int, int]]) -> list[int]:
    """Where the masked spans that name something end (a stock quote, a region named with digits):
    an indicator phrase starts after them (大湾区内地9市外贸规模 measures 外贸规模).  Fixed
    phrases are not among them (三次产业增加值 is one indicator), nor names in Chinese numerals:
    the phrase's own trim knows those as places, with what follows (长三角地区进出口)."""
    conf = _conf()
    places, stock = conf["digit_places"], conf["stock"]
    return [e for s, e in masked if text[s:e] in places or stock.fullmatch(text, s, e)]


def implied_unit(m: Mention, clause: str) -> str | None:
    """The unit of a bare amount (rule 8: 160亿 of money → 元), or None when it has none."""
    conf = _conf()
    if m.form != "general" or not m.magnitude:
        return None
    if m.magnitude in conf["money_mags"]:
        return conf["money_unit"]
    if m.magnitude in conf["money_cue_mags"] and conf["money_cues"].search(clause):
        return conf["money_unit"]
    return None


def excluded(text: str, m: Mention, unit_kind: str) -> bool:
    """True when the mention is not a claim, whatever its unit."""
    conf = _conf()
    if m.form == "rank" or m.form == "streak":
        return False
    if (m.form == "counter" and m.end - m.num_start - len(m.numeral) == 1
            and text.startswith(conf["counter_not_before"], m.end)):
        return True  # 12市场主体: the counter noun opens a word
    before = text[max(0, m.start - 2):m.start]
    if before.endswith(conf["ordinal_before"]):
        return True
    if m.unit in conf["address_units"] and before.endswith(conf["address_before"]):
        return True  # 交汇南300米路西: a place in an address, not a length
    if before.endswith(conf["top_before"]) and m.unit in conf["top_units"]:
        return True  # 前十位国家, 入围前30名: a top-N list names a group, not a count
    if m.form == "general" and m.unit_start >= 0:
        words = conf["count_not_before"].get(text[m.unit_start:m.unit_start + 1])
        if words and text[m.unit_start:m.unit_start + 6].startswith(words):
            return True
    tail = text[m.end:m.end + 6]
    if (m.form == "general" and m.chinese and text[m.start - 1:m.start] in conf["quote_open"]
            and any(q in tail[:conf["quoted_name_tail"] + 1] for q in conf["quote_close"])):
        return True  # 民生“十件实事”: a quoted name that opens with a numeral
    if m.form == "general" and text[m.end:m.end + 1] in conf["quote_close"] and _QUOTED_HEAD.search(
            text, max(0, m.start - conf["quoted_name_tail"] - 1), m.start):
        return True  # “深改19条”: a quoted name that ends with a count
    if (m.form == "general" and m.unit_start == m.end and tail.startswith(conf["label_after"])
            and not tail.startswith(conf["milestones"])):
        return True  # 四巨头, 六大产业, 百亿级: no unit, a label follows
    if tail.startswith(conf["unit_label_after"]):
        return True  # 百万千瓦级, 万吨级: a size class
    if unit_kind == "level" and m.form == "general" and m.approx == "more_than":
        run = conf["label_run"].match(tail + text[m.end + 6:m.end + 10])
        if run and "的" not in run.group() and not _NOT_LABEL.search(run.group()):
            return True  # 过1亿元项目, 超10亿元投资项目: an amount naming a class of projects
    if unit_kind in ("level", "count") and m.form == "general" and conf["threshold"].match(tail):
        return True  # GDP超过1000亿元的园区: a threshold naming a class
    if unit_kind == "count":
        if m.chinese and m.numeral in conf["lone_numerals"] and m.start == m.num_start:
            return True
        if m.chinese and m.value <= 10 and m.unit in conf["ge_units"] and not m.magnitude:
            noun = text[m.end:m.end + 12].lstrip("多余")
            noun = _ADJ_DE.sub("", noun)  # 三个新鲜的概念 → 概念
            if not any(noun.startswith(w) or noun[2:].startswith(w) for w in conf["ge_concrete"]):
                return True  # 三个方面, 两个名字: rhetorical counts (GUIDELINES rule 5)
        head = _HEAD_END.split(text[m.end:m.end + 8], maxsplit=1)[0]
        if head and conf["abstract"].fullmatch(head.rsplit("的", 1)[-1]):
            return True  # 两个新鲜的概念: a count of abstract things
    return False


def is_bare_label(text: str, m: Mention) -> bool:
    """A bare amount that names a class (百亿产业集群, 十万亿赛道), not a quantity."""
    conf = _conf()
    tail = text[m.end:m.end + 6]
    if tail.startswith(conf["milestones"]):
        return False  # 突破万亿大关: the amount is the predicate
    return tail.startswith(conf["label_after"]) or tail.startswith(conf["label_heads"])
