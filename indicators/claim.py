"""The numeric claim record: the extractor's output and the store's row."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

KINDS = ("level", "count", "pct_change", "pp_change", "abs_change", "multiple", "share", "rank", "target")
DIRECTIONS = ("up", "down")
APPROX = ("exact", "about", "more_than", "less_than")
SECTORS = ("macro", "agriculture", "industry", "energy", "construction", "real_estate", "investment",
           "trade", "consumption", "finance", "fiscal", "technology", "transport", "services",
           "employment", "population", "environment", "government", "other")


@dataclass(slots=True)
class Claim:
    """One number in a text that states a quantity, with everything known about it.

    Not frozen: a frozen dataclass stores each field through object.__setattr__ and costs ten
    times as much to build, and extraction builds one for every number it keeps."""

    doc: str | None
    quote: str
    start: int
    end: int
    occurrence: int
    value: float
    unit: str
    kind: str
    approx: str = "exact"
    direction: str | None = None
    value_high: float | None = None
    value_canonical: float | None = None
    unit_canonical: str | None = None
    indicator: str | None = None
    sector: str | None = None
    period: str | None = None
    place: str | None = None
    province: str | None = None
    adcode: str | None = None
    place_level: str | None = None
    lat: float | None = None
    lon: float | None = None
    sentence: str | None = None

    def to_dict(self) -> dict:
        """The claim as a plain dict in GUIDELINES.md field names."""
        return asdict(self)


FIELDS = tuple(f.name for f in fields(Claim))
