"""The map: a choropleth of admin areas coloured by claims, and claim markers at place centroids."""
from __future__ import annotations

import json
import math
from html import escape

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

EMPTY_FILL = [225, 229, 235, 160]
LINE = [90, 98, 110, 200]
MARKER = [214, 39, 40, 190]            # claims
FACT_MARKER = [31, 119, 180, 200]      # facts whose sources agree
CONFLICT_MARKER = [230, 85, 13, 230]   # a place with at least one fact whose sources disagree
# Light to dark blue: counts and values are shown on a log scale, most areas have few claims.
RAMP = ((198, 219, 239), (158, 202, 225), (107, 174, 214), (49, 130, 189), (8, 81, 156))
BASEMAPS = {"carto": "light"}
MAP_W, MAP_H = 760, 560  # the deck's usual size on a wide page


def _significant(adcode: str) -> str:
    code = str(adcode)
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def colour(x: float | None, lo: float, hi: float) -> list[int]:
    """The ramp colour of `x` between `lo` and `hi` on a log scale, grey for no data."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return list(EMPTY_FILL)
    span = math.log1p(max(hi - lo, 0))
    pos = 0.0 if span == 0 else math.log1p(max(x - lo, 0)) / span
    pos = min(max(pos, 0.0), 1.0) * (len(RAMP) - 1)
    i = min(int(pos), len(RAMP) - 2)
    frac = pos - i
    rgb = [round(a + (b - a) * frac) for a, b in zip(RAMP[i], RAMP[i + 1])]
    return rgb + [210]


def paint(geojson: dict, stats: pd.DataFrame, metric: str, labels: dict) -> dict:
    """A copy of `geojson` whose features carry name, claims, the shown value, fill and tooltip html.

    `stats` has `prefix` (significant admin-code prefix), `claims`, `latest_value`, `latest_unit`,
    `latest_period`; `metric` is "claims" or "latest_value".
    """
    by_prefix = {str(r.prefix): r for r in stats.itertuples()}
    rows = []
    for feat in geojson.get("features", []):
        props = feat.get("properties") or {}
        code = str(props.get("adcode", ""))
        rows.append((feat, props, by_prefix.get(_significant(code)) if code else None))
    values = [getattr(r, metric) for _, _, r in rows if r is not None and pd.notna(getattr(r, metric))]
    lo, hi = (min(values), max(values)) if values else (0, 0)
    if metric == "claims":
        lo = 0  # any area with claims stands out from the grey of areas without
    out = []
    for feat, props, r in rows:
        name = str(props.get("name", props.get("adcode", "")))
        claims = int(r.claims) if r is not None else 0
        value = getattr(r, metric) if r is not None else None
        value = None if value is None or pd.isna(value) else float(value)
        shown = f"{labels['claims']}: {claims:,}"
        conflicts = int(getattr(r, "conflicts", 0) or 0) if r is not None else 0
        if conflicts:
            shown += f"<br>⚠ {labels['conflicts']}: {conflicts:,}"
        if metric == "latest_value" and value is not None:
            shown += f"<br>{labels['latest']}: {value:,.6g} {escape(str(r.latest_unit or ''))}" \
                     f" ({escape(str(r.latest_period or '—'))})"
        new_props = dict(props, name=name, claims=claims, fill=colour(value, lo, hi),
                         tooltip=f"<b>{escape(name)}</b><br>{shown}")
        # `tooltip` also at the top level: pydeck's tooltip template reads the picked object's keys.
        out.append({"type": "Feature", "geometry": feat.get("geometry"), "properties": new_props,
                    "tooltip": new_props["tooltip"]})
    return {"type": "FeatureCollection", "features": out}


def marker_rows(df: pd.DataFrame, labels: dict) -> list[dict]:
    """Marker records with an escaped tooltip: value, unit, indicator and quote of the latest claim."""
    out = []
    top = max(df["claims"].max(), 1) if not df.empty else 1
    for r in df.itertuples():
        tip = (f"<b>{escape(str(r.place))}</b> · {labels['claims']}: {int(r.claims):,}<br>"
               f"{escape(str(r.indicator or '—'))}: {r.value:,.6g} {escape(str(r.unit))}"
               f" ({escape(str(r.period or '—'))})<br>“{escape(str(r.quote))}”")
        out.append({"lon": float(r.lon), "lat": float(r.lat), "adcode": r.adcode, "claims": int(r.claims),
                    "radius": 6 + 14 * math.sqrt(r.claims / top), "tooltip": tip, "color": MARKER})
    return out


def fact_marker_rows(df: pd.DataFrame, labels: dict, number=lambda v: f"{v:,.6g}") -> list[dict]:
    """Fact markers: facts and conflicts per place and its latest fact (every value when sources disagree);
    places with a conflict are drawn in the conflict colour."""
    out = []
    top = max(df["claims"].max(), 1) if not df.empty else 1
    for r in df.itertuples():
        values = " ≠ ".join(number(v) for v in r.value_list)
        tip = (f"<b>{escape(str(r.place))}</b> · {labels['claims']}: {int(r.claims):,}"
               + (f" · ⚠ {labels['conflicts']}: {int(r.conflicts):,}" if r.conflicts else "")
               + f"<br>{escape(str(r.indicator))}: {escape(values)} {escape(str(r.unit))}"
               f" ({escape(str(r.period or '—'))}) · {labels['sources']}: {int(r.n_sources)}")
        out.append({"lon": float(r.lon), "lat": float(r.lat), "adcode": r.adcode, "claims": int(r.claims),
                    "conflicts": int(r.conflicts), "radius": 6 + 14 * math.sqrt(r.claims / top), "tooltip": tip,
                    "color": CONFLICT_MARKER if r.conflicts else FACT_MARKER})
    return out


def view_of(geojson: dict | None, markers: list[dict]) -> pdk.ViewState:
    """A camera that frames the polygons (or the markers, or China)."""
    xs, ys = [], []
    for feat in (geojson or {}).get("features", []):
        _coords(feat.get("geometry") or {}, xs, ys)
    if not xs:
        xs, ys = [m["lon"] for m in markers], [m["lat"] for m in markers]
    if not xs:
        return pdk.ViewState(longitude=104.5, latitude=35.5, zoom=3.0)
    # Fit the box into a deck of about MAP_W x MAP_H pixels in Web Mercator (deck.gl: 512 px per 360° at zoom 0).
    lon = (min(xs) + max(xs)) / 2
    y_lo, y_hi = _merc(min(ys)), _merc(max(ys))
    lat = math.degrees(math.atan(math.sinh((y_lo + y_hi) / 2)))
    span_x = max(max(xs) - min(xs), 0.05) / 360
    span_y = max(y_hi - y_lo, 0.001) / (2 * math.pi)
    zoom = math.log2(min(MAP_W / (512 * span_x), MAP_H / (512 * span_y))) - 0.1
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=max(min(zoom, 11), 1.5))


def _merc(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _coords(geom: dict, xs: list, ys: list) -> None:
    kind, coords = geom.get("type"), geom.get("coordinates") or []
    polys = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for poly in polys:
        for ring in poly[:1]:
            for x, y in ring[:: max(1, len(ring) // 200)]:
                xs.append(x)
                ys.append(y)


class _Deck(pdk.Deck):
    """A pydeck Deck whose JSON is compact: pydeck indents its JSON, which sends Python's json
    module down its slow pure-Python path (0.2 s for the provinces); the spec is the same."""

    def to_json(self) -> str:
        return json.dumps(self, default=default_serialize, separators=(",", ":"))


def deck(geojson: dict | None, markers: list[dict], basemap: bool = False) -> pdk.Deck:
    """The pydeck map; offline by default (no basemap provider, nothing fetched from outside)."""
    layers = []
    if geojson and geojson.get("features"):
        layers.append(pdk.Layer("GeoJsonLayer", data=geojson["features"], id="regions", pickable=True, stroked=True,
                                filled=True, get_fill_color="properties.fill", get_line_color=LINE,
                                line_width_min_pixels=0.6, auto_highlight=True))
    if markers:
        layers.append(pdk.Layer("ScatterplotLayer", data=markers, id="claims", pickable=True,
                                get_position=["lon", "lat"], get_radius="radius",
                                # quoted: pydeck turns bare strings into JS expressions
                                radius_units="'pixels'",
                                get_fill_color="color", get_line_color=[255, 255, 255],
                                line_width_min_pixels=1, stroked=True))
    tooltip = {"html": "{tooltip}", "style": {"fontFamily": "Noto Sans CJK SC, sans-serif",
                                                "maxWidth": "360px", "whiteSpace": "normal"}}
    if basemap:
        return _Deck(layers=layers, initial_view_state=view_of(geojson, markers), tooltip=tooltip,
                        map_provider="carto", map_style=BASEMAPS["carto"])
    # map_style must stay at pydeck's default here: with map_provider=None that default means
    # "no basemap", while an explicit map_style=None makes Streamlit load a Carto basemap.
    return _Deck(layers=layers, initial_view_state=view_of(geojson, markers), tooltip=tooltip,
                    map_provider=None)
