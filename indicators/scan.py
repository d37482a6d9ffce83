"""Find number mentions in normalised text: the number, its magnitude, unit and qualifiers.

One compiled pattern, built from the rule data, finds every candidate; `Mention`s carry the
parsed value and the spans needed later.  Deciding whether a mention is a claim is not done here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import regex

from . import numerals, rules


@dataclass(slots=True)
class Mention:
    """A number found in the normalised text, parsed but not yet judged."""

    start: int            # span of the quote (number, magnitude, unit, touching qualifiers)
    end: int
    num_start: int        # span of the number itself
    value: float
    unit: str | None
    form: str             # general | percent | fraction | cheng | half | streak | rank | counter
    approx: str = "exact"
    value_high: float | None = None
    chinese: bool = False  # written in Chinese numerals
    magnitude: str | None = None
    numeral: str = ""
    unit_start: int = -1  # where the unit is written (general form), for the words that follow it
    verb_start: int = -1  # rank form: where its verb starts (财政收入居全市第三位): the indicator ends there


def _alt(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _qualifiers():
    data = rules.load("qualifiers")
    before = rules.rows_by_word(data, "before", "qualifiers")
    after = {w: row["approx"] for w, row in rules.rows_by_word(data, "after", "qualifiers").items()}
    inner = {w: row["approx"] for w, row in rules.rows_by_word(data, "inner", "qualifiers").items()}
    return before, after, inner


@cache
def han() -> str:
    """A character class of the Han script (regex's \\p{Han}), for patterns compiled with `re`."""
    chars = "".join(chr(c) for c in range(0x40000) if not 0xD800 <= c < 0xE000)  # BMP and planes 1–3
    runs = ((m.start(), m.end() - 1) for m in regex.finditer(r"\p{Han}+", chars))
    return "[" + "".join(re.escape(chars[a]) + (f"-{re.escape(chars[b])}" if b > a else "") for a, b in runs) + "]"


def _behind(words) -> str:
    """A look-behind for any of `words`, in the fixed-width pieces that `re` accepts."""
    by_length: dict[int, list[str]] = {}
    for w in words:
        by_length.setdefault(len(w), []).append(w)
    return "(?:" + "|".join(f"(?<={_alt(ws)})" for _, ws in sorted(by_length.items(), reverse=True)) + ")"


def _branched(pattern: str) -> str:
    """`pattern` with every greedy optional group `(…)?` written `(?:(…)|)`: the same matches
    and groups, but `re` runs an optional group as a repeat, several times dearer than a
    two-way branch, and the mention pattern has 37 of them."""
    out, opened, i = [], [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":  # a class, copied whole: its brackets are no groups
            j = i + 1 + (pattern[i + 1] == "^")
            j += pattern[j] == "]"  # a leading ] is a member
            while pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            out.append(pattern[i:j + 1])
            i = j + 1
            continue
        if c == "(":
            opened.append(len(out))
        elif c == ")":
            start = opened.pop()
            group = "".join(out[start:]) + ")"
            if (pattern.startswith("?", i + 1) and not pattern.startswith(("??", "?+"), i + 1)
                    and (group.startswith(("(?:", "(?P<")) or not group.startswith("(?"))):
                del out[start:]
                out.append(f"(?:{group}|)")
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


@cache
def pattern() -> re.Pattern:
    """The mention pattern, compiled once from numerals, units, qualifiers and kinds rules.

    Compiled with the standard `re`, which runs this pattern about twice as fast as `regex`
    (the one place where speed decides): it keeps to what both engines read alike."""
    before, after, inner = _qualifiers()
    cn = numerals.digit_chars()
    units = rules.unit_spellings()
    mags = numerals.magnitude_words()
    vague = "".join(rules.word_list("numerals", "vague_prefixes"))
    shares = rules.require(rules.load("shares"), "words", dict, "shares")
    cheng_nb = "".join(rules.word_list("shares", "cheng_not_before"))
    counters = rules.require(rules.load("units"), "bare_counters", dict, "units")
    rank_nb = "".join(rules.word_list("kinds", "rank_unit_not_before"))

    arabic = r"(?<![\d.])\d+(?:,\d{3})*(?:\.\s?\d+)?(?![\d,]*\.\d)"
    lead = numerals.leading_chars()
    # A unit written with a numeral character (千瓦, 千克, 兆瓦, 百分点) is never part of the number:
    # 六千万千瓦 is 六千万 + 千瓦, 一百二十兆瓦 is 一百二十 + 兆瓦.
    heads = [u for u in units if u[0] in cn]
    guard = f"(?!{_alt(heads)})" if heads else ""
    chinese = f"(?:[{vague}](?=[十百千万亿]))?{guard}[{lead}](?:{guard}[{cn}])*"  # 数千万, 几十
    num = f"(?:{arabic}|{chinese})"
    mag = f"{guard}(?:{_alt(mags)})"
    mag_first = "".join(sorted({w[0] for w in mags}))
    inn = _alt(inner)
    pre_q = _alt(w for w, row in before.items() if row["in_quote"])
    out_q = _behind(w for w, row in before.items() if not row["in_quote"])
    post_q = _alt(after)
    unit = _alt(units)
    single = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)"

    parts = [
        # 百分之十三点六
        f"(?P<pct_pre>{pre_q})?百分之(?P<pct>{num})(?P<pct_post>{post_q})?",
        # 六分之一
        f"(?P<fr_pre>{pre_q})?(?P<den>{single})分之(?P<fnum>{single})(?P<fr_post>{post_q})?",
        # 八成, 近五成, 八成以上
        f"(?P<ch_pre>{pre_q})?(?P<cheng>[一二三四五六七八九十]|\\d)成(?P<cheng2>[一二三四五六七八九](?!(?![以左上多余]){han()}))?(?![{cheng_nb}])(?P<ch_post>{post_q})?",
        # 一半, 超半壁江山
        f"(?P<h_pre>{pre_q})?(?P<half>{_alt(shares)})(?P<h_post>{post_q})?",
        # 连续16年
        f"(?:{_alt(rules.word_list('kinds', 'streak_prefix'))})(?P<streak1>{single})(?:个)?年",
        # 二十二连丰
        f"(?P<streak2>{single})(?:{_alt(rules.word_list('kinds', 'streak_suffixes'))})",
        # 居全国第8位
        f"(?:(?P<rank_verb>{_alt(rules.word_list('kinds', 'rank_verbs'))})"
        f"(?P<rank_scope>[^\\d，,。；;、\\s第]{{0,12}}?))?第(?P<rank>{single})"
        f"(?(rank_verb)(?:(?P<rank_unit>{_alt(rules.word_list('kinds', 'rank_units'))})|(?!{han()}))"
        f"|(?P<rank_unit2>{_alt(rules.word_list('kinds', 'rank_units'))})(?![{rank_nb}]))",
        # 7省市
        f"(?P<ctr>(?<![\\d.])\\d+)(?P<ctr_noun>{_alt(counters['nouns'])})",
        # a magnitude alone after a qualifier: 产值超亿元
        f"(?:(?P<bm_pre>{pre_q})|{out_q})(?P<bm>{mag})(?P<bm_unit>{unit})(?P<bm_post>{post_q})?",
        # the general form: 超过5万亿元, 80余家, 3至5亿元, 5%-6%, 1100万立方米以上
        f"(?P<pre>{pre_q})?(?P<neg>-|(?<![减抱担正胜])负(?=\\d))?(?P<n1>{num})(?P<i1>{inn})?(?P<m1>{mag})?(?P<p1>%(?=[-~至到]))?"
        f"(?:(?P<sep>[-~至到])(?P<n2>{num})(?P<i2>{inn})?(?P<m2>{mag})?)?"
        # 21,798(万TEU): a unit in brackets right after the number
        f"(?P<i3>{inn})?(?:[ \u00a0](?=[{mag_first}]|{unit})|(?P<br>[(（])(?=(?:{mag})?(?:{unit})[)）]))?"
        f"(?P<m3>{mag})?(?P<unit>{unit})?(?(br)[)）])(?:/(?P<per>{unit}))?(?P<post>{post_q})?",
    ]
    # A match tells its form by the group only that form has (n1, pct, den, …): wrapping each
    # form in a group of its own, for `lastgroup`, cost the engine a tenth of its time.  The
    # leading class lets the engine skip ahead to where some form can start.
    starts = set("0123456789-第负百连" + cn + vague) | {w[0] for w in before} | {w[0] for w in shares}
    starts |= {w[0] for w in rules.word_list("kinds", "rank_verbs")}
    first = re.escape("".join(sorted(starts)))
    return re.compile(_branched(f"(?=[{first}])(?:" + "|".join(parts) + ")"))


def _trailing_magnitude(numeral: str) -> str | None:
    for word in numerals.magnitude_words():
        if len(word) < len(numeral) and numeral.endswith(word) and word[0] in "万亿兆":
            return word
    return None


def outside_approx(text: str, start: int) -> str | None:
    """The approx set by a verb right before a quote but outside it (突破700亿元, 超过了16%)."""
    before, _, _ = _qualifiers()
    head = text[max(0, start - 5):start].rstrip("了 是为")  # 大概是2000斤, 约为5%: a copula between
    m = _before_words().search(head)
    return before[m.group()]["approx"] if m else None


def share_approx(clause_before: str) -> str | None:
    """The approx a qualifier sets on a share across its scope (约占全国旅游人数的40.5%, 接近总数
    三分之一): the qualifier, then 占 and the whole, or a short whole, then the number."""
    m = _share_scope().search(clause_before)
    return _qualifiers()[0][m.group(1)]["approx"] if m else None


@cache
def _share_scope() -> re.Pattern:
    reach = int(rules.require(rules.load("qualifiers"), "share_scope_reach", int, "qualifiers"))
    return re.compile(rf"({_alt(_qualifiers()[0])})(?:占[^，,。；;:：\d]{{0,{reach}}}|[^，,。；;:：\d占]{{1,4}})$")


@cache
def _before_words() -> re.Pattern:
    return re.compile(f"(?:{_alt(_qualifiers()[0])})$")  # plain words: `re` searches them faster


def scan(text: str):
    """Yield every number mention in normalised `text`, left to right."""
    build = _builder()
    for m in pattern().finditer(text):
        try:
            mention = build(m)
        except (ValueError, KeyError, ZeroDivisionError):
            continue  # a character run that only looks like a numeral (e.g. 十百): not a number
        if mention is not None:
            yield mention
            if mention.form == "percent" and mention.chinese and text.startswith("百分之", mention.num_start - 3):
                yield from _percent_list(text, mention.end)


_LIST_PERCENT = re.compile(r"[、和及](?P<n>[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?)(?=[、和及，,。；;]|$)")


def _percent_list(text: str, pos: int):
    """The bare numerals that go on a 百分之 list (增长百分之十七点九、二十点五和十五点七): percentages."""
    while (m := _LIST_PERCENT.match(text, pos)) is not None:
        try:
            value = numerals.parse_chinese(m.group("n"))
        except ValueError:
            return
        yield Mention(m.start("n"), m.end("n"), m.start("n"), value, "%", "percent", chinese=True,
                      numeral=m.group("n"))
        pos = m.end()


@cache
def _number(s: str) -> tuple[float, bool]:
    """Parse an Arabic or Chinese numeral (with a vague prefix) → (value, is_chinese)."""
    if s[0].isdigit():
        value = numerals.parse_arabic(s)
        if not math.isfinite(value) or value > 1e18:
            raise ValueError(f"{s[:20]}…: a digit run, not a quantity")
        return value, False
    if s[0] in _vague():
        s = s[1:]
    return numerals.parse_chinese(s), True


@cache
def _vague() -> frozenset[str]:
    return frozenset(rules.word_list("numerals", "vague_prefixes"))


@cache
def _builder():
    """`build(match) -> Mention | None`, with the pattern's group numbers and the rule tables
    bound once: a match's groups are read as one tuple, not looked up by name."""
    shares = rules.require(rules.load("shares"), "words", dict, "shares")
    spellings = rules.unit_spellings()
    counter_unit = rules.load("units")["bare_counters"]["unit"]
    vague = _vague()
    before, after, inner = _qualifiers()
    # Group names → indexes into m.groups(), one less than the group numbers m.start() takes.
    index = {name: number - 1 for name, number in pattern().groupindex.items()}
    (PCT_PRE, PCT, PCT_POST, FR_PRE, DEN, FNUM, FR_POST, CH_PRE, CHENG, CHENG2, CH_POST, H_PRE, HALF, H_POST,
     STREAK1, STREAK2, RANK_VERB, RANK, RANK_UNIT, RANK_UNIT2, CTR, BM_PRE, BM, BM_UNIT, BM_POST, PRE, NEG, N1, I1,
     M1, P1, N2, I2, M2, I3, M3, UNIT, PER, POST) = (index[name] for name in (
        "pct_pre", "pct", "pct_post", "fr_pre", "den", "fnum", "fr_post", "ch_pre", "cheng", "cheng2", "ch_post",
        "h_pre", "half", "h_post", "streak1", "streak2", "rank_verb", "rank", "rank_unit", "rank_unit2", "ctr",
        "bm_pre", "bm", "bm_unit", "bm_post", "pre", "neg", "n1", "i1", "m1", "p1", "n2", "i2", "m2", "i3", "m3",
        "unit", "per", "post"))
    parse_magnitude = numerals.parse_magnitude

    def approx_of(pre, post, inn=()):
        if pre:
            return before[pre]["approx"]
        for word in inn:
            if word:
                return inner[word]
        return after[post] if post else "exact"

    def build(m) -> Mention | None:
        g = m.groups()
        if g[N1] is not None:  # the general form
            n1, unit_w, m1, m2, m3 = g[N1], g[UNIT], g[M1], g[M2], g[M3]
            if not (unit_w or m1 or m2 or m3 or n1[-1] in "万亿兆"):
                return None  # a bare number (a year, a code, 一些): never a claim, skip parsing it
            pair = numerals.adjacent_range(n1) if g[N2] is None and not n1[0].isdigit() else None
            value, cn = (pair[0], True) if pair else _number(n1)
            mag = m1 or m3 or m2
            factor = parse_magnitude(mag) if mag else 1.0
            high = None
            if g[N2] is not None:
                high = _number(g[N2])[0] * (parse_magnitude(m2) if m2 else factor)
                value *= parse_magnitude(m1) if m1 else factor
                if high <= value:
                    return None  # 1-1 or 2023-2022: not a range of quantities
            elif pair:
                value, high = value * factor, pair[1] * factor  # 三四家, 七八十家: a vague range
            else:
                value *= factor
            pre, neg = g[PRE], g[NEG]
            if neg:
                value = -value
            unit = spellings.get(unit_w) if unit_w else None
            if unit and g[PER]:
                unit = f"{unit}/{spellings[g[PER]]}"  # 650公斤/亩: a rate
            if g[P1] and unit != "%":
                return None
            start = m.start(PRE + 1) if pre else (m.start(NEG + 1) if neg else m.start(N1 + 1))
            if n1[0] in vague and not pre:
                approx = "more_than"  # 数千万元: the stated magnitude, at least
            elif pre or g[POST] or g[I1] or g[I2] or g[I3]:
                approx = approx_of(pre, g[POST], (g[I1], g[I2], g[I3]))
            else:
                approx = "about" if pair else "exact"
            # Positional, the commonest form: keywords cost as much again.  十万亿: a Chinese
            # numeral carries its own magnitude.
            return Mention(start, m.end(), m.start(N1 + 1), value, unit, "general", approx, high, cn,
                           mag or (_trailing_magnitude(n1) if cn else None), n1,
                           m.start(UNIT + 1) if unit_w else m.end())
        if g[PCT] is not None:
            value, cn = _number(g[PCT])
            return Mention(m.start(PCT_PRE + 1) if g[PCT_PRE] else m.start(), m.end(), m.start(PCT + 1), value, "%",
                           "percent", approx_of(g[PCT_PRE], g[PCT_POST]), chinese=cn, numeral=g[PCT])
        if g[DEN] is not None:
            den, cn = _number(g[DEN])
            num, _ = _number(g[FNUM])
            return Mention(m.start(), m.end(), m.start(DEN + 1), 100.0 * num / den, "%", "fraction",
                           approx_of(g[FR_PRE], g[FR_POST]), chinese=cn, numeral=g[DEN])
        if g[CHENG] is not None:
            tenth, cn = _number(g[CHENG])
            hundredth = _number(g[CHENG2])[0] if g[CHENG2] else 0.0  # 一成一 = 11%
            return Mention(m.start(), m.end(), m.start(CHENG + 1), tenth * 10.0 + hundredth, "%", "cheng",
                           approx_of(g[CH_PRE], g[CH_POST]), chinese=cn, numeral=g[CHENG])
        if g[HALF] is not None:
            row = shares[g[HALF]]
            approx = approx_of(g[H_PRE], g[H_POST])
            if approx == "exact":
                approx = row["approx"]
            return Mention(m.start(), m.end(), m.start(HALF + 1), float(row["value"]), "%", "half", approx,
                           chinese=True, numeral=g[HALF])
        if g[STREAK1] is not None or g[STREAK2] is not None:
            key = STREAK1 if g[STREAK1] is not None else STREAK2
            value, cn = _number(g[key])
            return Mention(m.start(), m.end(), m.start(key + 1), value, "年", "streak", chinese=cn, numeral=g[key])
        if g[RANK] is not None:
            value, cn = _number(g[RANK])
            start = m.start(RANK + 1) - 1  # the quote starts at 第
            return Mention(start, m.end(), m.start(RANK + 1), value, g[RANK_UNIT] or g[RANK_UNIT2] or "位", "rank",
                           chinese=cn, numeral=g[RANK], verb_start=m.start(RANK_VERB + 1) if g[RANK_VERB] else -1)
        if g[BM] is not None:
            return Mention(m.start(), m.end(), m.start(BM + 1), parse_magnitude(g[BM]), spellings[g[BM_UNIT]],
                           "general", approx_of(g[BM_PRE], g[BM_POST]) if g[BM_PRE] else "more_than",
                           magnitude=g[BM], numeral=g[BM], unit_start=m.start(BM_UNIT + 1))
        if g[CTR] is not None:
            return Mention(m.start(), m.end(), m.start(), float(g[CTR]), counter_unit, "counter", numeral=g[CTR])
        raise AssertionError(f"scan: a match of no known form ({m.group()!r})")

    return build
