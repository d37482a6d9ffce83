"""The indicator a number measures: the noun phrase the text gives before it (粮食面积达到43.96万亩)
or, for counts, after its classifier (92名记者); and the sector that phrase belongs to."""
from __future__ import annotations

import re
from functools import cache, lru_cache

from . import rules, wordcut
from .scan import _alt

_NAME = "indicator"


@cache
def _conf():
    data = rules.load(_NAME)
    # The change verbs of kinds.yaml (加快0.2个百分点, 收窄1.3个百分点) also stand between an
    # indicator and its number.
    right = set(rules.word_list(_NAME, "right_trim"))
    right |= set(rules.word_list("kinds", "change_up")) | set(rules.word_list("kinds", "change_down"))
    right |= set(rules.word_list(_NAME, "predicate_idioms"))
    right = sorted(right, key=len, reverse=True)
    left = set(rules.word_list(_NAME, "left_trim"))
    seps = set(rules.require(data, "separators", str, _NAME))
    return {
        "right": right,
        # 收购价为每斤1.38元: a trailing 每 + unit makes a rate, not part of the indicator
        # Trim words by length, longest first: a word ends where the number's words begin, so
        # a few slice lookups find it where a pattern search would scan the chunk.
        "right_set": frozenset(right),
        # By last character, the lengths of the words ending in it, longest first (2 for every
        # character: 每 and its unit); other characters end no word but may end 每 + unit.
        "right_lengths": _lengths_by_last(right),
        "split_words": set(rules.word_list(_NAME, "split_after")),
        "left": left,
        "seps": seps,
        # greedy: the match ends just after the last separator
        "last_sep": re.compile("(?s).*[" + "".join(re.escape(c) for c in sorted(seps)) + "]"),
        "max": int(data["max_length"]),
        "split_verb_freq": int(rules.require(data, "split_verb_min_freq", int, _NAME)),
        "drop_after_cut": frozenset(rules.word_list(_NAME, "drop_after_cut_tags")),
        "noun_tags": set(rules.word_list(_NAME, "noun_tags")),
        "drop_left_tags": set(rules.word_list(_NAME, "drop_left_tags")),
        "place_suffixes": tuple(sorted(rules.word_list(_NAME, "place_suffixes"), key=len, reverse=True)),
        "place_last": frozenset(w[-1] for w in rules.word_list(_NAME, "place_suffixes")),
        "generic": set(rules.word_list(_NAME, "generic")),
        "bare_heads": frozenset(rules.word_list(_NAME, "bare_heads")),
        "event_classifiers": frozenset(rules.word_list(_NAME, "event_classifiers")),
        "ratio_words": rules.word_list(_NAME, "ratio_words"),
        "not_places": set(rules.word_list(_NAME, "not_places")),
        "zone_kinds": tuple(rules.word_list(_NAME, "zone_kinds")),
        "share_split": rules.word_list(_NAME, "share_split"),
        "per": rules.require(data, "per_marker", str, _NAME),
        "not_indicators": set(rules.word_list(_NAME, "not_indicators")),
        "comparison": tuple(rules.word_list(_NAME, "comparison_markers")),
        "rank_scope": rules.word_list(_NAME, "rank_scope_markers"),
        "continuations": tuple(rules.word_list(_NAME, "continuation_openers")),
        "object_openers": tuple(rules.word_list(_NAME, "object_openers")),
        "duration": re.compile(rules.require(data, "duration_phrase", str, _NAME)),
        "duration_head": re.compile(f"(?:{rules.require(data, 'duration_edge', str, _NAME)})"),
        "duration_tail": re.compile(f"(?:{data['duration_edge']})$"),
        "etc_nouns": set(rules.word_list(_NAME, "etc_nouns")),
        "inner_verbs": set(rules.word_list(_NAME, "inner_verbs")),
        "localities": set(rules.word_list(_NAME, "trailing_localities")),
        "counted_divisions": frozenset(rules.word_list(_NAME, "counted_divisions")),
        "predicate_tags": frozenset(rules.word_list(_NAME, "predicate_tags")),
        "modifier_tags": frozenset(rules.word_list(_NAME, "modifier_tags")),
        "lone_words": set(rules.word_list(_NAME, "no_lone_words")),
        "lone_tags": set(rules.word_list(_NAME, "no_lone_tags")),
        "openers": set(rules.word_list(_NAME, "comparison_openers")),
        "opener_tags": set(rules.word_list(_NAME, "comparison_opener_tags")),
    }


def _lengths_by_last(words) -> dict[str, tuple[int, ...]]:
    by_last: dict[str, set[int]] = {}
    for w in words:
        by_last.setdefault(w[-1], {2}).add(len(w))
    return {ch: tuple(sorted(ns, reverse=True)) for ch, ns in by_last.items()}


@lru_cache(maxsize=65536)
def _tokens(chunk: str) -> tuple[tuple[str, str], ...]:
    # Segment only short windows around numbers (never whole articles): segmentation is the slow part.
    return tuple(wordcut.lcut(chunk))


def _is_place(word: str, conf) -> bool:
    # The last character rules out most words before the suffixes are compared.
    return (len(word) >= 2 and word[-1] in conf["place_last"] and word.endswith(conf["place_suffixes"])
            and word not in conf["not_places"])


def _zone_kind(phrase: str, conf) -> bool:
    """Whether `phrase` names a kind of zone (经济技术开发区), not one zone (苏州工业园区, 宜昌高新区)."""
    from geo import names

    return phrase.endswith(conf["zone_kinds"]) and not _names_place(phrase) and not names.find(phrase)


def _names_place(word: str) -> bool:
    """Whether `word` is a place or region name in geo's gazetteer (慈溪, 全省, 长三角)."""
    from geo import names

    return word in names.aliases() or word in _conf()["left"]  # 全省, 我市: the left-trim's place words


def before(chunk: str, share: bool = False) -> tuple[int, int] | None:
    """Span in `chunk` (text before a number, same clause) of the indicator phrase ending there."""
    conf = _conf()
    end = _trim_right(chunk, 0, len(chunk), conf)
    if 1 < end < len(chunk) and _splits_verb(chunk, end, conf):
        # 增长接近60%, 日产气量飙升至: the trimmed 近, 升 end a verb of the phrase, which goes too
        end = _trim_right(chunk, 0, end - 1, conf)
    if end and chunk[end - 1] in ")）":
        # 固定资产投资(不含农户)436530亿元: a note in brackets stands between indicator and number
        opening = max(chunk.rfind("(", 0, end), chunk.rfind("（", 0, end))
        if opening > 0:
            end = _trim_right(chunk, 0, opening, conf)
    bracketed = end and chunk[end - 1] in "(（"
    if bracketed:
        # 制造业增加值增速(7.6%): the number in brackets, unless it is a place's (慈溪(2639亿), 全省(6.3%))
        end = _trim_right(chunk, 0, end - 1, conf)
    last_sep = conf["last_sep"].match(chunk, 0, end)
    start = last_sep.end() if last_sep else 0
    if share:
        for word in conf["share_split"]:
            at = chunk.rfind(word, start, end)
            if at > start:
                end = _trim_right(chunk, start, at, conf)
    start = max(start, end - conf["max"] * 2)
    if end <= start:
        return None
    toks = _tokens(chunk[start:end])
    n = len(toks)
    i = 0  # the first token still in the phrase: an index, not a slice per dropped word
    openers, opener_tags = conf["openers"], conf["opener_tags"]
    if n and toks[0][0] in openers and toks[0][1] in opener_tags:
        return None  # 比上月提高1.9个百分点: what follows 比 is the base of a comparison, not the indicator
    for k in range(n - 1, 0, -1):
        if toks[k][0] in openers and toks[k][1] in opener_tags:
            # 增加值增速比全省平均水平高4.3个百分点: what stands before the base is measured
            end = _trim_right(chunk, start, start + sum(len(w) for w, _ in toks[:k]), conf)
            toks, n = toks[:k], k
            break
    # 县粮管所的收购价 → 收购价, 生产原油 → 原油: start after the last whole-word split (not 生产总值)
    for k in range(n - 2, -1, -1):
        if toks[k][0] in conf["split_words"]:
            start += sum(len(w) for w, _ in toks[: k + 1])
            i = k + 1
            break
    left, drop_tags, noun_tags = conf["left"], conf["drop_left_tags"], conf["noun_tags"]
    first, first_i = start, i
    while i < n:
        word, flag = toks[i]
        if flag == "v" and word not in left and n - i == 2 and len(toks[i + 1][0]) == 1 and toks[i + 1][1] == "n":
            break  # 签约额32亿元: a verb stays when dropping it would leave a one-character noun
        if i + 1 < n and _is_place(word + toks[i + 1][0], conf) and not _is_place(word, conf):
            start += len(word) + len(toks[i + 1][0])
            i += 2
        elif (word.isdigit() and i + 3 < n and toks[i + 1][1] == "q"
              and toks[i + 2][0] in conf["counted_divisions"]):
            start += len(word) + len(toks[i + 1][0]) + len(toks[i + 2][0])  # 有15个区外商直接投资…
            i += 3
        elif (word in left or flag in drop_tags or _is_place(word, conf)
              or (flag == "v" and any(f in noun_tags for _, f in toks[i + 1:])
                  and chunk[start + len(word):end] not in conf["bare_heads"])):
            start += len(word)
            i += 1
        else:
            break
    if i == n and not share and _zone_kind(chunk[first:end], conf):
        # 经济技术开发区230家: the words dropped as a place were all there is, a kind of zone counted
        while first_i < n and toks[first_i][0] in left:
            first += len(toks[first_i][0])
            first_i += 1
        start = first
    if end - start > conf["max"]:
        # Cut at a word's edge, past a locality word the cut leaves in front: 全国规模以上港口
        # 累计完成外贸货物吞吐量 keeps 港口…, not 模以上港口… nor 以上港口….
        while i < n - 1 and (end - start > conf["max"] or toks[i][1] in conf["drop_after_cut"]):
            start += len(toks[i][0])
            i += 1
    start = max(start, end - conf["max"])
    if (head := conf["duration_head"].match(chunk, start, end)) and head.end() < end:
        start = head.end()
    if (tail := conf["duration_tail"].search(chunk, start, end)) and tail.start() > start:
        end = _trim_right(chunk, start, tail.start(), conf)
    phrase = chunk[start:end].strip()
    if (not phrase or phrase in conf["generic"] or (_is_place(phrase, conf) and (share or not _zone_kind(phrase, conf)))
            or not any(map(str.isalpha, phrase))  # 2023-02-11 170亿元: a date names nothing
            or (phrase.isascii() and phrase.islower())  # bi 2013年: pinyin residue, not GDP or CPI
            or (len(phrase) == 1 and (phrase in conf["lone_words"]  # 中, 末, 时 alone name nothing
                                      or _tokens(phrase)[0][1] in conf["lone_tags"]))):
        return None
    if phrase in conf["not_indicators"] or conf["duration"].fullmatch(phrase):
        return None  # a verb alone (锚定, 举行) or a span of time (已连续7个月) names no quantity
    if bracketed and _names_place(phrase):
        return None
    return start, end


def _splits_verb(chunk: str, end: int, conf) -> bool:
    """Whether the one-character word trimmed at `end` ends a common verb begun before it (接近)."""
    if chunk[end] not in conf["right_set"]:
        return False
    freq, tag = wordcut.word_entry(chunk[end - 1:end + 1])
    return tag == "v" and freq >= conf["split_verb_freq"]


def trim(chunk: str) -> int:
    """Where `chunk` ends once the verbs and particles before a number are trimmed off."""
    return _trim_right(chunk, 0, len(chunk), _conf())


def name_at(t: str, norm, span: tuple[int, int]) -> tuple[str, str] | None:
    """The indicator at `span` of normalised `t`, as output (original script, `norm` maps back)
    and as normalised text, without the words `inner_verb` finds (第一产业实现增加值 → 第一产业增加值)."""
    gap = inner_verb(t[span[0]:span[1]])
    parts = [span] if gap is None else [(span[0], span[0] + gap[0]), (span[0] + gap[1], span[1])]
    name = clean("".join(norm.original[slice(*norm.span(*p))] for p in parts))
    return (name, "".join(t[slice(*p)] for p in parts).strip()) if name else None


def inner_verb(phrase: str) -> tuple[int, int] | None:
    """Span of words standing between the subject and the measure inside `phrase`, which the
    indicator drops: a verb (第一产业实现增加值: 实现) or 等 and a class noun (生物医药等产品出口:
    等产品); None when there are none."""
    conf = _conf()
    if "等" not in phrase and not any(w in phrase for w in conf["inner_verbs"]):
        return None
    toks = _tokens(phrase)
    pos = 0
    for k, (word, _) in enumerate(toks):
        if word == "等" and 0 < k < len(toks) - 2 and toks[k + 1][0] in conf["etc_nouns"]:
            return pos, pos + len(word) + len(toks[k + 1][0])
        if word in conf["inner_verbs"] and 0 < k < len(toks) - 1:
            before = toks[k - 1][0]
            if k > 1 and before in conf["left"]:
                return pos - len(before), pos + len(word)  # 港口共完成吞吐量: the adverb goes too
            return pos, pos + len(word)
        pos += len(word)
    return None


def continues(text: str, sentence_start: int) -> bool:
    """Whether the sentence at `sentence_start` goes on about the one before (其中4月当月…)."""
    return text.startswith(_conf()["continuations"], sentence_start)


def names_ratio(name: str) -> bool:
    """Whether the indicator `name` is a ratio (比重, 占比): a share's, never a growing quantity's."""
    return any(w in name for w in _conf()["ratio_words"])


def counts_events(unit: str) -> bool:
    """Whether a count in `unit` counts events (两次, 三场), named by what is done in them."""
    return unit in _conf()["event_classifiers"]


def opens_object(chunk: str) -> bool:
    """Whether `chunk`, the text before a number, ends in a preposition that takes the number
    (港以22866万吨的吞吐量): the noun after the unit then names what it measures."""
    return chunk.endswith(_conf()["object_openers"])


def ends_in_verb(phrase: str) -> bool:
    """Whether `phrase` ends in a verb (产业园拿下): what follows the number is then its object."""
    toks = _tokens(phrase)
    # one word alone is a verb only as one character (卖): 产能 and 出口 are tagged verbs too
    return bool(toks) and toks[-1][1] == "v" and (len(toks) > 1 or len(phrase) == 1)


_PER_ONLY = (2,)


def _trim_right(chunk: str, start: int, end: int, conf) -> int:
    """Move `end` left past the verbs and particles between an indicator and its number."""
    words, lengths, per = conf["right_set"], conf["right_lengths"], conf["per"]
    while end > start:
        stop = end
        while stop > start and chunk[stop - 1].isspace():
            stop -= 1  # spaces before the number go with the trimmed word
        for n in lengths.get(chunk[stop - 1], _PER_ONLY) if stop > start else ():
            a = stop - n
            if a >= start and (chunk[a:stop] in words or (n == 2 and chunk[a] == per)):
                end = a
                break
        else:
            return stop  # 夏粮产量 7327吨: the space is no part of the indicator
    return end


def before_period(chunk: str, share: bool = False) -> tuple[int, int] | None:
    """Span of the indicator in `chunk`, the text before a period word that stands between it and
    its number (工业增加值上半年同比增长10.3%).  Where the period is a comparison's base, the words
    before the marker name the indicator (居民消费价格比1月下降1.3%), unless they only name a change
    (降幅比1—8月收窄: 降幅 is generic)."""
    body = chunk.rstrip()
    for marker in sorted(_conf()["comparison"], key=len, reverse=True):
        if body.endswith(marker):
            return before(body[:-len(marker)], share)
    return before(chunk, share)


def before_rank(chunk: str) -> tuple[int, int] | None:
    """Span of a rank's indicator in `chunk`, the text before its verb, past the rank's scope
    (贷款增速在全省16强县中 → 贷款增速)."""
    cut = max(chunk.rfind(w) for w in _conf()["rank_scope"])
    return before(chunk[:cut] if cut > 0 else chunk)


def subject(chunk: str) -> tuple[int, int] | None:
    """The noun phrase that an earlier clause ends on, past its trailing verbs (外贸规模稳步扩大)."""
    conf = _conf()
    end = len(chunk)
    while end > 0 and chunk[end - 1] in conf["seps"]:
        end -= 1
    start = next((i + 1 for i in range(end - 1, -1, -1) if chunk[i] in conf["seps"]), 0)
    end = _trim_right(chunk, start, end, conf)  # 粮食产量再创历史新高: a set predicate goes whole
    toks = list(_tokens(chunk[start:end]))
    while toks and (toks[-1][1] not in conf["noun_tags"] or toks[-1][0] in conf["localities"]):
        end -= len(toks.pop()[0])  # 外贸规模稳步扩大 → 外贸规模; 百强中 → 百强 (a scope's locality)
    if not toks:
        return None
    return before(chunk[:end])


def after(chunk: str, divisions: bool = False, events: bool = False,
          generic: bool = False) -> tuple[int, int] | None:
    """Span in `chunk` (text right after a classifier) of the counted noun: 92名记者 → 记者; with
    `divisions` (the classifier is 个), an administrative division alone counts too (9个县); with
    `events` (次, 场), verbs that open it name the event with the noun after them (两次集中签约活动);
    with `generic`, a generic noun (增速) names it too."""
    conf = _conf()
    counted = conf["counted_divisions"] if divisions else ()
    skip = 1 if chunk.startswith("的") else 0  # 近五成的平板电脑
    s = chunk[skip: skip + conf["max"]]
    for i, ch in enumerate(s):
        if ch in conf["seps"]:
            s = s[:i]
            break
    if not s:
        return None
    toks = _tokens(s)
    if generic:
        # 以15.9%的惊人增速: a generic measure (增速 is tagged a verb), past an adjective before it
        lead = len(toks[0][0]) if len(toks) > 1 and toks[0][1] == "a" else 0
        word = toks[1][0] if lead else toks[0][0]
        if word in conf["generic"]:
            return skip + lead, skip + lead + len(word)
    run: list[str] = []
    for k, (word, flag) in enumerate(toks):
        if flag == "eng" and not run and k + 1 < len(toks) and toks[k + 1][1] in conf["noun_tags"] \
                and not word.isdigit():
            run.append(word)  # 3D打印机, 5G基站: a Latin model name opens the noun
            continue
        if (events and flag == "v" and len(run) == k and all(f == "v" for _, f in toks[:k])
                and word not in conf["right"] and any(f in conf["noun_tags"] for _, f in toks[k + 1:])):
            run.append(word)  # only verbs so far, and a noun follows
            continue
        if events and run and (word in conf["left"] or _is_place(word, conf)):
            break  # 两次排名进入全省第一方阵: a scope, not the event
        if run and word in conf["counted_divisions"] and flag not in conf["noun_tags"]:
            run.append(word)  # 45个产业功能县实现…: 县 (tagged zg) closes the counted noun
            break
        if ((flag not in conf["noun_tags"] and not (flag == "a" and not run)
             and not (not run and word in counted))  # 9个县: 县 is tagged zg here
                or word in conf["right"]):
            break
        run.append(word)
    rest = toks[len(run):]
    while len(run) > 1 and run[-1] in conf["localities"]:
        run.pop()  # 40个项目中, 十个行业中: the locality word closes a scope, the noun is before it
    if not run:
        return None
    head = 2 if toks[0][1] in conf["modifier_tags"] else 1  # 主要|经济指标, 国家级|经开区: one noun
    if len(run) > head and rest and (
            (rest[0][1].startswith("v") and len("".join(run[head:])) > 2)
            or (run[0] in conf["counted_divisions"] and rest[0][1] in conf["predicate_tags"])):
        # 13个区固定资产投资实现…: the run's tail is the next clause's subject (not 京企落地); after a
        # division counted alone, a short tail too (15个区外商直接投资…, not 627个市重点项目).  A
        # place word further in ends the counted noun instead (52家国家|高新区|企业营业收入达,
        # 45个产业功能|县|实现生产总值): the subject begins after it.
        cut = next((k + 1 for k in range(head, len(run))
                    if run[k].endswith(conf["place_suffixes"]) and run[k] not in conf["not_places"]), head)
        run = run[:cut]
    phrase = "".join(run)
    if (phrase in conf["generic"] and not generic) or not (any(f in conf["noun_tags"] for _, f in toks[: len(run)])
                                         or phrase in counted):
        return None
    return skip, skip + len(phrase)


@cache
def _sectors() -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, tuple[str, ...]]]]:
    """(strong, weak) keyword lists per sector, in the file's order, validated."""
    from .claim import SECTORS

    rows = rules.require(rules.load("sectors"), "sectors", list, "sectors")
    strong: list[tuple[str, tuple[str, ...]]] = []
    weak: list[tuple[str, tuple[str, ...]]] = []
    seen_sector: set[str] = set()
    seen_word: dict[str, str] = {}
    for row in rows:
        sector = row.get("sector")
        if sector not in SECTORS:
            raise rules.RuleError(f"{rules.RULES_DIR}/sectors.yaml: unknown sector {sector!r}")
        if sector in seen_sector:
            raise rules.RuleError(f"{rules.RULES_DIR}/sectors.yaml: sector {sector!r} listed twice")
        seen_sector.add(sector)
        for key, out in (("keywords", strong), ("weak", weak)):
            words = tuple(row.get(key, ()))
            for word in words:
                if word in seen_word:
                    raise rules.RuleError(f"{rules.RULES_DIR}/sectors.yaml: keyword {word!r} in both "
                                          f"{seen_word[word]!r} and {sector!r}")
                seen_word[word] = sector
            if words:
                out.append((sector, words))
    return strong, weak


def clean(phrase: str) -> str:
    """An indicator phrase as output: no pinyin residue (資產(chǎn) → 資產), no edge spaces."""
    if "(" not in phrase:
        return phrase.strip()
    from .normalize import strip_pinyin

    return strip_pinyin(phrase).strip()


@cache
def _sector_patterns() -> tuple[re.Pattern, dict[str, int], re.Pattern, dict[str, int]]:
    """One pattern per tier over every keyword, and each keyword's sector rank (file order)."""
    strong, weak = (({w: i for i, (_, words) in enumerate(table) for w in words}) for table in _sectors())
    # plain words: `re` scans them faster than `regex`
    return re.compile(_alt(strong)), strong, re.compile(_alt(weak)), weak


def sector_of(*texts: str | None, weak: bool = False) -> str | None:
    """The first sector (in file order) with a keyword in the first text that has one, else None."""
    for text in texts:
        sector = _sector_in(text, weak) if text else None
        if sector:
            return sector
    return None


@lru_cache(maxsize=16384)
def _sector_in(text: str, weak: bool) -> str | None:
    # Claims of one sentence share it: look each sentence up once.
    strong_re, strong_rank, weak_re, weak_rank = _sector_patterns()
    pattern, rank = (weak_re, weak_rank) if weak else (strong_re, strong_rank)
    found = [rank[m.group()] for m in pattern.finditer(text)]
    return _sectors()[1 if weak else 0][min(found)][0] if found else None


def dominant(sectors: list[str | None]) -> str | None:
    """The most common known sector of an article (ties: the first seen)."""
    counts: dict[str, int] = {}  # a plain dict: a Counter per paragraph cost more than the counting
    for s in sectors:
        if s:
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None  # max keeps the first of equals
