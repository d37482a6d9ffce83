"""Server-side chart images (PNG/SVG) through kaleido, where a Chromium is installed."""
from __future__ import annotations

import shutil
from functools import lru_cache

import plotly.graph_objects as go

FORMATS = ("png", "svg")


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether kaleido can draw here: the package is installed and a Chromium is on the machine."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    return any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome"))


def render(fig: go.Figure, fmt: str) -> bytes:
    """The figure as PNG (twice the screen resolution) or SVG, drawn by plotly.js in headless Chromium."""
    if fmt not in FORMATS:
        raise ValueError(f"image format must be one of {FORMATS}, not {fmt!r}")
    import kaleido

    opts = {"format": fmt, "width": 1100, "height": 550}
    if fmt == "png":
        opts["scale"] = 2
    # mathjax=False: kaleido would otherwise add a CDN script to its page; the app stays offline.
    return kaleido.calc_fig_sync(fig, opts=opts, kopts={"mathjax": False})
