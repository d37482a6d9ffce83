"""Files for briefings built from query results: CSV (UTF-8 with BOM), XLSX, one-file HTML pack."""
from __future__ import annotations

import io
from datetime import datetime
from html import escape

import pandas as pd
import plotly.graph_objects as go

from .charts import CJK_FONT

PACK_ROWS = 500  # claims listed in a briefing pack; the CSV/XLSX carry all filtered rows


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV in UTF-8 with a byte-order mark, so that Excel reads the Chinese right."""
    return _plain(df).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "claims") -> bytes:
    """The frame as an XLSX workbook with one sheet and a frozen header row."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        _plain(df).to_excel(writer, index=False, sheet_name=sheet)
        writer.sheets[sheet].freeze_panes = "A2"
    return buf.getvalue()


def _table(df: pd.DataFrame, headers: dict) -> str:
    cols = [c for c in headers if c in df.columns]
    head = "".join(f"<th>{escape(headers[c])}</th>" for c in cols)
    body = []
    for row in df[cols].itertuples(index=False):
        cells = []
        for col, val in zip(cols, row):
            text = "" if val is None or (not isinstance(val, str) and pd.isna(val)) else str(val)
            if col == "url" and text.startswith(("http://", "https://")):
                cells.append(f'<td><a href="{escape(text)}">{escape(text)}</a></td>')
            else:
                cells.append(f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def briefing_html(title: str, subtitle: str, facts: dict, figures: list[tuple[str, go.Figure]],
                  map_svg: str | None, claims: pd.DataFrame, total: int, headers: dict, section: dict) -> str:
    """One self-contained HTML file: headline figures, interactive charts (plotly.js inlined once),
    the map as an SVG image and the claims table with quotes and sources; all text escaped."""
    parts = [f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>",
             "<style>body{font-family:" + CJK_FONT + ";margin:2em;color:#222}"
             "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 6px;"
             "vertical-align:top}th{background:#f3f4f6}.facts span{display:inline-block;margin-right:2em}"
             ".facts b{font-size:1.4em;display:block}</style></head><body>",
             f"<h1>{escape(title)}</h1><p>{escape(subtitle)}</p>",
             f"<p><small>{escape(section['generated'])}: {datetime.now():%Y-%m-%d %H:%M}</small></p>",
             "<div class=\"facts\">" + "".join(f"<span>{escape(k)}<b>{escape(str(v))}</b></span>"
                                                for k, v in facts.items()) + "</div>"]
    if figures:
        parts.append(f"<h2>{escape(section['charts'])}</h2>")
        for i, (_, fig) in enumerate(figures):
            parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0),
                                     config={"displaylogo": False}))
    if map_svg:
        parts.append(f"<h2>{escape(section['map'])}</h2><div>{map_svg}</div>")
    parts.append(f"<h2>{escape(section['claims'])}</h2>")
    if total > len(claims):
        parts.append(f"<p>{escape(section['first_rows'].format(n=len(claims), total=f'{total:,}'))}</p>")
    parts.append(_table(claims, headers))
    parts.append("</body></html>")
    return "\n".join(parts)
