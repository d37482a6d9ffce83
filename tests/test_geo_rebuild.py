"""geo.rebuild.replacer builds exactly what dataclasses.replace builds, fast path or not."""
from __future__ import annotations

import dataclasses

import pytest

from geo import PLACE_FIELDS, Span
from geo.rebuild import replacer
from indicators.claim import Claim

VALUES = ("上海市普陀区", "上海市", "310107", "county", 31.25, 121.39)


def claim() -> Claim:
    return Claim("d1", "12%", 3, 6, 1, 12.0, "%", "pct_change", direction="up", sentence="增长12%。")


def assert_same(got, want):
    assert type(got) is type(want)
    assert dataclasses.asdict(got) == dataclasses.asdict(want)
    assert got == want and hash(got) == hash(want)


def test_claims_use_the_slot_builder_and_match_replace():
    c = claim()
    want = dataclasses.replace(c, **dict(zip(PLACE_FIELDS, VALUES)))
    first = replacer(Claim, PLACE_FIELDS)(c, VALUES)   # checked against replace on first use
    fast = replacer(Claim, PLACE_FIELDS)
    assert fast.__code__.co_filename == "<string>", "the frozen-slots fast path was not taken"
    second = fast(c, VALUES)
    for got in (first, second):
        assert_same(got, want)
        with pytest.raises(dataclasses.FrozenInstanceError):
            got.place = "x"
    assert c.place is None  # the original is untouched


def test_plain_frozen_dataclass_matches_replace():
    s = Span(4, 9)
    assert_same(replacer(Span, PLACE_FIELDS)(s, VALUES), dataclasses.replace(s, **dict(zip(PLACE_FIELDS, VALUES))))


@dataclasses.dataclass(frozen=True, slots=True)
class Checked:
    start: int
    place: str | None = None
    seen: list = dataclasses.field(default_factory=list, compare=False)

    def __post_init__(self):
        self.seen.append(self.place)


def test_post_init_still_runs():
    c = Checked(1)
    got = replacer(Checked, ("place",))(c, ("上海市",))
    assert got.place == "上海市" and c.seen == [None, "上海市"]
    assert replacer(Checked, ("place",)).__code__.co_filename != "<string>"


def test_objects_that_are_not_dataclasses_fail_like_replace():
    with pytest.raises(TypeError):
        replacer(dict, ("place",))({}, ("x",))
