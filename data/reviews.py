"""Reviews of stored claims: confirm, reject or correct one field; the extraction is kept and every
review is kept with its time (an audit trail); the claim's facts follow in the same transaction."""
from __future__ import annotations

import math
import re

from indicators.claim import APPROX, DIRECTIONS, FIELDS, KINDS, SECTORS

from . import store
from .store import StoreError, _now, period_start

STATUSES = ("confirmed", "rejected", "corrected")
_NUMBER, _TEXT = "number", "text"
# Fields a reviewer may correct, with their type (a tuple = allowed values) and whether NULL is allowed.
# The quote, its offsets and the sentence anchor the claim in its document and are not editable.
CORRECTABLE: dict[str, tuple[object, bool]] = {
    "value": (_NUMBER, False), "value_high": (_NUMBER, True), "unit": (_TEXT, False),
    "value_canonical": (_NUMBER, True), "unit_canonical": (_TEXT, True), "kind": (KINDS, False),
    "direction": (DIRECTIONS, True), "approx": (APPROX, False), "indicator": (_TEXT, True),
    "sector": (SECTORS, True), "period": ("period", True), "place": (_TEXT, True),
    "province": (_TEXT, True), "adcode": ("adcode", True), "place_level": (_TEXT, True),
    "lat": ("lat", True), "lon": ("lon", True),
}
_PERIOD = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:/(\d{4}(?:-\d{2}(?:-\d{2})?)?))?$")


class ReviewError(StoreError):
    """A review that names a missing claim, an unknown field or a value of the wrong type."""


def _check_value(field: str, value):
    kind, nullable = CORRECTABLE[field]
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none")):
        if not nullable:
            raise ReviewError(f"field {field!r} cannot be empty")
        return None
    text = str(value).strip()
    if kind in (_NUMBER, "lat", "lon"):
        try:
            number = float(text)
        except ValueError:
            raise ReviewError(f"field {field!r} takes a number, not {text!r}") from None
        if not math.isfinite(number):
            raise ReviewError(f"field {field!r} takes a finite number, not {text!r}")
        limit = {"lat": 90, "lon": 180}.get(kind)
        if limit and abs(number) > limit:
            raise ReviewError(f"field {field!r} must lie within ±{limit}, not {number:g}")
        return repr(number)
    if isinstance(kind, tuple):
        if text not in kind:
            raise ReviewError(f"field {field!r} takes one of {', '.join(kind)}; not {text!r}")
        return text
    if kind == "period":
        m = _PERIOD.match(text)
        if not m or any(p and period_start(p) is None for p in m.groups()):
            raise ReviewError(f"period {text!r} is not ISO: YYYY, YYYY-MM, YYYY-MM-DD or START/END")
        return text
    if kind == "adcode" and not re.fullmatch(r"\d{6}(\d{3}|\d{6})?", text):
        raise ReviewError(f"adcode {text!r} must be 6, 9 or 12 digits")
    return text


def add_review(con, claim_id: int, status: str, field: str | None = None, new_value=None,
               note: str | None = None, transaction: bool = True) -> int:
    """Record one review of a claim (confirmed, rejected, or one corrected field); the new review id.

    The claim's facts follow in the same transaction; `transaction=False` when the caller holds one.
    """
    if status not in STATUSES:
        raise ReviewError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if status == "corrected":
        if field is None:
            raise ReviewError("a correction names the field it corrects")
        if field not in CORRECTABLE:
            what = "is not editable" if field in FIELDS else "is not a claim field"
            raise ReviewError(f"field {field!r} {what}; correctable: {', '.join(CORRECTABLE)}")
        new_value = _check_value(field, new_value)
    elif field is not None or new_value is not None:
        raise ReviewError(f"a {status} review takes no field or value; use status 'corrected'")
    try:
        claim_id = int(claim_id)
    except (TypeError, ValueError):
        raise ReviewError(f"claim id {claim_id!r} is not a number") from None
    if con.execute("SELECT 1 FROM claims WHERE claim_id = ?", [claim_id]).fetchone() is None:
        raise ReviewError(f"no claim {claim_id} in the store")
    from . import facts

    with store.transaction(con, own=transaction):
        review_id = con.execute(
            "INSERT INTO reviews (claim_id, status, field, new_value, note, reviewed_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING review_id",
            [claim_id, status, field, new_value, note, _now()]).fetchone()[0]
        # A rejection or correction can move the claim out of its fact or into another one.
        doc = con.execute("SELECT doc_id FROM claims WHERE claim_id = ?", [claim_id]).fetchone()[0]
        facts.update_facts(con, [doc], transaction=False)
    return review_id


def review_history(con, claim_id: int) -> list[tuple]:
    """Every review of a claim, oldest first: (review_id, status, field, new_value, note, reviewed_at)."""
    return con.execute("SELECT review_id, status, field, new_value, note, reviewed_at FROM reviews "
                       "WHERE claim_id = ? ORDER BY review_id", [int(claim_id)]).fetchall()


def reviewed_claim(con, claim_id: int) -> dict | None:
    """One claim as reviewed (a `claims_reviewed` row) as a dict, or None."""
    cur = con.execute("SELECT * FROM claims_reviewed WHERE claim_id = ?", [int(claim_id)])
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))
