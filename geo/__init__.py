"""Places for claims: a gazetteer of China's divisions and the linker that ties claims to them.

    >>> from geo import link, gazetteer
    >>> gazetteer.place("310107")["full_name"]
    '上海市普陀区'
"""
from native import use as _use_native

_use_native(__name__, __path__)  # the compiled build of these modules, if it matches them
from . import gazetteer  # noqa: E402
from .link import PLACE_FIELDS, Span, analyse, link, places  # noqa: E402
from .names import GeoDataError  # noqa: E402

__all__ = ["link", "places", "PLACE_FIELDS", "analyse", "Span", "gazetteer", "GeoDataError"]
