"""Plotly figures of the dashboard and the toolbar settings that name their PNG/SVG downloads."""
from __future__ import annotations

import re
from datetime import date
from html import escape

import pandas as pd
import plotly.graph_objects as go

# Fonts that carry Chinese glyphs, first the one Debian's fonts-noto-cjk installs.
CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
RATE_KINDS = ("pct_change", "pp_change")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22")


def safe_name(text: str) -> str:
    """A file-name fragment: letters (Chinese too), digits, dash and underscore only."""
    return re.sub(r"[^\w\-]+", "_", str(text)).strip("_")[:60] or "chart"


def file_stem(*parts: str) -> str:
    """indicator-atlas_<parts>_<today>: the name of every download."""
    return "_".join(["indicator-atlas", *(safe_name(p) for p in parts if p), date.today().isoformat()])


def plot_config(*name_parts: str, fmt: str = "png") -> dict:
    """Plotly toolbar config: the camera button saves `fmt` (png or svg) under a sensible name."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format must be png or svg, not {fmt!r}")
    return {"displaylogo": False,
            "toImageButtonOptions": {"format": fmt, "filename": file_stem(*name_parts), "scale": 2}}


def _layout(fig: go.Figure, title: str | None = None) -> go.Figure:
    fig.update_layout(font={"family": CJK_FONT}, title=title, margin={"l": 40, "r": 20, "t": 50, "b": 40},
                      hoverlabel={"font": {"family": CJK_FONT}}, legend={"orientation": "h", "y": -0.2})
    return fig


def bar_counts(df: pd.DataFrame, key: str, label=lambda x: x, title: str | None = None) -> go.Figure:
    """A horizontal bar chart of claim counts per category (`key` column of labels, `claims`)."""
    df = df.sort_values("claims")
    fig = go.Figure(go.Bar(x=df["claims"], y=[label(v) for v in df["key"]], orientation="h",
                           marker_color=PALETTE[0]))
    return _layout(fig, title)


def _hover(df: pd.DataFrame, labels: dict) -> list[str]:
    rows = []
    for r in df.itertuples():
        warn = f"<br><b>⚠ {labels['conflict']}</b>" if r.conflict > 1 else ""
        rows.append(f"<b>{escape(str(r.place))}</b> {escape(str(r.period or ''))}<br>"
                    f"{r.value:,.4g} {escape(str(r.unit))}{warn}<br>"
                    f"“{escape(str(r.quote))}”<br>{labels['source']}: {escape(str(r.title or ''))}"
                    f"<br>{labels['published']}: {r.published if pd.notna(r.published) else '—'}")
    return rows


def timeline(df: pd.DataFrame, indicator: str, axis: str, labels: dict) -> list[tuple[str, go.Figure]]:
    """Figures for one indicator: a line chart per unit of levels, a bar chart per unit of rates.

    Every claim is its own point or bar, so values that disagree for the same place and period
    stand side by side (ringed in red) instead of being averaged.
    """
    x_col = "period_start" if axis == "period" else "published"
    df = df[df[x_col].notna()].copy()
    figs = []
    for (is_rate, unit), part in df.groupby([df["kind"].isin(RATE_KINDS), "unit"], sort=True):
        fig = go.Figure()
        for i, (place, rows) in enumerate(part.groupby("place", sort=True)):
            rows = rows.sort_values([x_col, "value"])
            color = PALETTE[i % len(PALETTE)]
            common = dict(x=rows[x_col], y=rows["value"], name=str(place), hovertext=_hover(rows, labels),
                          hoverinfo="text", legendgroup=str(place))
            if is_rate:
                fig.add_trace(go.Bar(marker_color=color,
                                     marker_line={"color": ["#d62728" if c > 1 else color for c in rows["conflict"]],
                                                  "width": [3 if c > 1 else 0 for c in rows["conflict"]]},
                                     **common))
            else:
                fig.add_trace(go.Scatter(mode="lines+markers", line={"color": color},
                                         marker={"size": [13 if c > 1 else 8 for c in rows["conflict"]],
                                                 "color": color,
                                                 "line": {"color": ["#d62728" if c > 1 else color
                                                                    for c in rows["conflict"]], "width": 2}},
                                         **common))
        kind_label = labels["rates"] if is_rate else labels["levels"]
        fig.update_layout(barmode="group", yaxis_title=str(unit),
                          xaxis_title=labels["period"] if axis == "period" else labels["published"])
        figs.append((f"{kind_label} · {unit}", _layout(fig, f"{indicator} · {kind_label} ({unit})")))
    return figs


def localise_columns(df: pd.DataFrame, label=None) -> pd.DataFrame:
    """The frame with its column names translated (`label(name)` or the name)."""
    if label is None:
        from .state import t
        from .i18n import has

        def label(c):
            return t(f"col.{c}") if has(f"col.{c}") else c
    return df.rename(columns={c: label(c) for c in df.columns})


def md_escape(text: str) -> str:
    """Text safe inside Streamlit markdown: HTML escaped and markdown punctuation backslashed."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|>~<])", r"\\\1", str(text))


def has_label(key: str) -> bool:
    """Whether a label key exists."""
    from .i18n import has

    return has(key)
