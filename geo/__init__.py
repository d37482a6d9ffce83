"""Places for claims: a gazetteer of China's divisions and the linker that ties claims to them.

    >>> from geo import link, gazetteer
    >>> gazetteer.place("310107")["full_name"]
    '上海市普陀区'
"""
from . import gazetteer
from .link import PLACE_FIELDS, Span, analyse, link, places
from .names import GeoDataError

__all__ = ["link", "places", "PLACE_FIELDS", "analyse", "Span", "gazetteer", "GeoDataError"]
