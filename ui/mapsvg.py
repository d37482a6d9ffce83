"""The map as a static SVG image (for downloads and the briefing pack), drawn without a browser."""
from __future__ import annotations

import math
from html import escape

from .charts import CJK_FONT

WIDTH, HEIGHT, PAD = 900, 640, 24


def _rings(geom: dict):
    kind, coords = (geom or {}).get("type"), (geom or {}).get("coordinates") or []
    if kind == "Polygon":
        yield from coords
    elif kind == "MultiPolygon":
        for poly in coords:
            yield from poly


def render(geojson: dict | None, markers: list[dict], title: str = "") -> str:
    """An SVG document of the painted areas (fill from `properties.fill`) and the claim markers."""
    feats = (geojson or {}).get("features") or []
    xs, ys = [], []
    for feat in feats:
        for ring in _rings(feat.get("geometry")):
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
    if not xs:
        xs, ys = [m["lon"] for m in markers], [m["lat"] for m in markers]
    if not xs:
        xs, ys = [73.5, 135.0], [18.0, 53.5]  # China's extent, for an empty map
    lat0 = math.radians((min(ys) + max(ys)) / 2)
    kx = math.cos(lat0)  # equirectangular with the mid-latitude's scale: fair shapes for a region
    w = max((max(xs) - min(xs)) * kx, 1e-6)
    h = max(max(ys) - min(ys), 1e-6)
    scale = min((WIDTH - 2 * PAD) / w, (HEIGHT - 2 * PAD - 30) / h)
    x0, y1 = min(xs), max(ys)

    def pt(lon: float, lat: float) -> str:
        return f"{PAD + (lon - x0) * kx * scale:.1f},{PAD + 30 + (y1 - lat) * scale:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{CJK_FONT}">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
             f'<text x="{PAD}" y="{PAD + 8}" font-size="18" fill="#222">{escape(title)}</text>']
    for feat in feats:
        props = feat.get("properties") or {}
        r, g, b, a = (list(props.get("fill") or [225, 229, 235, 160]) + [255])[:4]
        d = " ".join("M" + " L".join(pt(x, y) for x, y in ring[:: max(1, len(ring) // 400)]) + " Z"
                     for ring in _rings(feat.get("geometry")) if len(ring) >= 3)
        if not d:
            continue
        tip = escape(f"{props.get('name', '')}: {props.get('claims', 0)}")
        parts.append(f'<path d="{d}" fill="rgb({r},{g},{b})" fill-opacity="{a / 255:.2f}" '
                     f'stroke="#5a626e" stroke-width="0.5" fill-rule="evenodd"><title>{tip}</title></path>')
    for m in markers:
        x, y = pt(m["lon"], m["lat"]).split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="{max(2.5, m["radius"] / 2.5):.1f}" fill="#d62728" '
                     f'fill-opacity="0.75" stroke="#fff" stroke-width="0.8">'
                     f'<title>{escape(str(m.get("adcode", "")))}: {int(m["claims"])}</title></circle>')
    parts.append("</svg>")
    return "\n".join(parts)
