"""Numbers as written in Chinese text → floats: 1,640 / 2.35万 / 二十二 / 一万零三百一十三亿 / 十三点六."""
from __future__ import annotations

from functools import cache

from . import rules


@cache
def _tables():
    data = rules.load("numerals")
    digits = {k: int(v) for k, v in rules.require(data, "digits", dict, "numerals").items()}
    small = {k: int(v) for k, v in rules.require(data, "small_units", dict, "numerals").items()}
    big = {k: int(v) for k, v in rules.require(data, "big_units", dict, "numerals").items()}
    mags = {k: float(v) for k, v in rules.require(data, "magnitudes", dict, "numerals").items()}
    clash = (set(digits) & set(small)) | (set(digits) & set(big)) | (set(small) & set(big))
    if clash:
        raise rules.RuleError(f"{rules.RULES_DIR}/numerals.yaml: characters in two tables: {sorted(clash)}")
    return digits, small, big, mags, data["decimal_point"]


def digit_chars() -> str:
    """Every character that can be part of a Chinese numeral."""
    digits, small, big, _, point = _tables()
    return "".join(digits) + "".join(small) + "".join(big) + point


def leading_chars() -> str:
    """Characters a Chinese numeral may start with (not 万 or 亿 alone, not 点)."""
    digits, small, _, _, _ = _tables()
    return "".join(digits) + "".join(small)


@cache
def magnitude_words() -> dict[str, float]:
    """Magnitude words that may follow an Arabic number, longest first."""
    mags = _tables()[3]
    return dict(sorted(mags.items(), key=lambda kv: -len(kv[0])))


def parse_magnitude(word: str) -> float:
    """The factor of a magnitude word such as 万亿 or 千万."""
    mags = _tables()[3]
    if word in mags:
        return mags[word]
    factor = 1.0
    for ch in word:
        factor *= mags[ch]
    return factor


def parse_arabic(s: str) -> float:
    """'1,640.5' → 1640.5."""
    return float(s.replace(",", "").replace(" ", ""))  # 59. 4亿元: a typesetting space


def parse_chinese(s: str) -> float:
    """A Chinese numeral → its value; ValueError when it is not one."""
    digits, small, big, _, point = _tables()
    if not s:
        raise ValueError("empty numeral")
    if point in s:
        whole, _, frac = s.partition(point)
        if not frac or any(ch not in digits for ch in frac):
            raise ValueError(f"bad decimal numeral {s!r}")
        value = parse_chinese(whole) if whole else 0.0
        return value + float("0." + "".join(str(digits[ch]) for ch in frac))
    if all(ch in digits for ch in s) and len(s) > 1:
        if len(s) == 2 and "〇" not in s and "零" not in s:
            raise ValueError(f"{s!r} is no numeral")  # 唯一一家 is not 11 (三四家 is a range: adjacent_range)
        return float("".join(str(digits[ch]) for ch in s))  # 二〇二六 read digit by digit
    total, section, number = 0.0, 0.0, None
    last_big = None
    for ch in s:
        if ch in digits:
            number = digits[ch]
        elif ch in small:
            section += (1 if number is None else number) * small[ch]
            number = None
        elif ch in big:
            section += number or 0
            factor = big[ch]
            if last_big is not None and factor > last_big:
                total = (total + section) * factor  # 一万亿: the larger unit scales all before it
            else:
                total += section * factor
            section, number, last_big = 0.0, None, factor
        else:
            raise ValueError(f"{ch!r} is not a numeral character")
    return total + section + (number or 0)


def adjacent_range(s: str) -> tuple[float, float] | None:
    """A vague range of two neighbouring digits (三四家 → 3–4, 七八十 → 70–80, 两三百万), else None."""
    digits, small, big, _, _ = _tables()
    if len(s) < 2 or s[0] not in digits or s[1] not in digits:
        return None
    low, high = digits[s[0]], digits[s[1]]
    if low == 0 or high != low + 1 or any(ch not in small and ch not in big for ch in s[2:]):
        return None
    return parse_chinese(s[0] + s[2:]), parse_chinese(s[1] + s[2:])


_DIGITS_OUT = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """An integer 0 ≤ n < 1e16 as a Chinese numeral (for round-trip tests and display)."""
    if n == 0:
        return "零"
    if n < 0 or n >= 10**16:
        raise ValueError("out of range")
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, zero_pending = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or g < 1000):
            out += "零"
        out += _group(g) + ("", "万", "亿", "万亿")[i]
        zero_pending = False
    if out.startswith("一十"):
        out = out[1:]
    return out


def _group(g: int) -> str:
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = g // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS_OUT[d] + name
    return out
