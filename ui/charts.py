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
        if hasattr(r, "sources"):  # a fact's value: how many independent sources state it
            warn += f"<br>{labels.get('sources', 'sources')}: {int(r.sources)}"
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
    if axis == "period":
        # Reference periods are labels ("2024", "2024-03", "2024-01/2024-09"), shown as categories
        # in time order rather than as dates, so a year is not drawn as its 1st of January.
        df["x"] = df["period"].astype(str)
        order = df.sort_values("period_start")["x"].drop_duplicates().tolist()
    else:
        df["x"] = pd.to_datetime(df["published"])
        order = None
    # Claims at the same place and x that disagree get their own rank, drawn side by side.
    df = df.sort_values(["place", "x", "value"])
    df["rank"] = df.groupby(["place", "x", "kind", "unit"]).cumcount()
    figs = []
    for (is_rate, unit), part in df.groupby([df["kind"].isin(RATE_KINDS), "unit"], sort=True):
        fig = go.Figure()
        for i, (place, rows) in enumerate(part.groupby("place", sort=True)):
            color = PALETTE[i % len(PALETTE)]
            for rank, same in rows.groupby("rank", sort=True):
                name = str(place) if rank == 0 else f"{place} · {labels['conflict']} {rank + 1}"
                common = dict(x=same["x"], y=same["value"], name=name, hovertext=_hover(same, labels),
                              hoverinfo="text", legendgroup=str(place), showlegend=True)
                ring = {"color": ["#d62728" if c > 1 else color for c in same["conflict"]],
                        "width": [2 if c > 1 else 0 for c in same["conflict"]]}
                if is_rate:
                    fig.add_trace(go.Bar(marker={"color": color, "line": ring,
                                                 "pattern": {"shape": "/" if rank else ""}}, **common))
                elif rank == 0:
                    fig.add_trace(go.Scatter(mode="lines+markers", line={"color": color},
                                             marker={"size": 9, "color": color, "line": ring}, **common))
                else:
                    fig.add_trace(go.Scatter(mode="markers", marker={"size": 11, "color": "white",
                                                                     "symbol": "diamond", "line": ring},
                                             **common))
        kind_label = labels["rates"] if is_rate else labels["levels"]
        fig.update_layout(barmode="group", yaxis_title=str(unit),
                          xaxis_title=labels["period"] if axis == "period" else labels["published"])
        if order is not None:
            fig.update_xaxes(type="category", categoryorder="array", categoryarray=order)
        figs.append((f"{kind_label} · {unit}", _layout(fig, f"{indicator} · {kind_label} ({unit})")))
    return figs


def localise_columns(df: pd.DataFrame, label=None) -> pd.DataFrame:
    """The frame for display: column names translated, kind/sector/status values translated,
    dates without a midnight time."""
    from .i18n import has
    from .state import t

    if label is None:
        def label(c):
            return t(f"col.{c}") if has(f"col.{c}") else c
    out = df.copy()
    for col, prefix in (("kind", "kind"), ("sector", "sector"), ("review_status", "status")):
        if col in out.columns:
            out[col] = [t(f"{prefix}.{v}") if isinstance(v, str) and has(f"{prefix}.{v}")
                        else (t("status.unreviewed") if col == "review_status" and v is None else v)
                        for v in out[col]]
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]) and len(out[col].dropna()) \
                and (out[col].dropna().dt.normalize() == out[col].dropna()).all():
            out[col] = out[col].dt.date
    return out.rename(columns={c: label(c) for c in out.columns})


def md_escape(text: str) -> str:
    """Text safe inside Streamlit markdown: HTML escaped and markdown punctuation backslashed."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|>~<])", r"\\\1", str(text))


def has_label(key: str) -> bool:
    """Whether a label key exists."""
    from .i18n import has

    return has(key)


def web_url(url) -> bool:
    """Whether `url` is a plain http(s) address without spaces or brackets (safe as a link)."""
    return isinstance(url, str) and re.fullmatch(r"https?://[^\s()<>\[\]]+", url) is not None
