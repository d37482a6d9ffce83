"""The facts view of the claims page: one row per fact, a selected fact opened into its sources."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from . import charts, highlight
from .state import q, t

PAGE_SIZE = 500


def number(value) -> str:
    """A value as people write it: thousands separated, no exponent, no trailing zeros."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{float(value):,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def value_text(row) -> str:
    """The agreed value (a range when the fact states one), or every conflicting value side by side."""
    if row["status"] == "conflict":
        return " ≠ ".join(number(v) for v in row["value_list"])
    shown = number(row["value_list"][0] if len(row["value_list"]) else row["value"])
    high = row.get("value_high")
    if high is not None and not (isinstance(high, float) and math.isnan(high)):
        shown += "–" + number(high)
    return shown


def table_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The facts as displayed: values joined, the conflict flag as a word, labels localised."""
    shown = pd.DataFrame({
        "indicator": rows["indicator"], "place": rows["place"], "period": rows["period"], "kind": rows["kind"],
        "unit": rows["unit"], "values": [value_text(r) for _, r in rows.iterrows()],
        "n_sources": rows["n_sources"], "n_documents": rows["n_documents"], "n_claims": rows["n_claims"],
        "fact_status": [("⚠ " if s == "conflict" else "") + t(f"fact_status.{s}") for s in rows["status"]],
    })
    return charts.localise_columns(shown)


def render(f) -> None:
    """The facts table of the filtered claims; a selected row shows its member claims and quotes."""
    counts = q("count_facts", f)
    total = counts["facts"]
    pages = max(1, -(-total // PAGE_SIZE))
    page = st.number_input(t("page_of", n=pages), min_value=1, max_value=pages, value=1, step=1, key="fa_page")
    st.caption(t("facts_shown", shown=min(PAGE_SIZE, max(total - (page - 1) * PAGE_SIZE, 0)),
                 total=f"{total:,}", conflicts=f"{counts['conflicts']:,}"))
    rows = q("facts_table", f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    if rows.empty:
        st.info(t("no_facts"))
        return
    event = st.dataframe(table_frame(rows), hide_index=True, on_select="rerun", selection_mode="single-row",
                         key="fa_table")
    picked = event.selection.rows if event and event.selection else []
    if not picked:
        st.info(t("pick_fact"))
        return
    members(rows.iloc[picked[0]])


def members(fact) -> None:
    """One fact's claims grouped by the value they state, each quote marked in its sentence."""
    rows = q("fact_members", fact["fact_id"])
    if rows.empty:
        st.warning(t("fact_gone"))
        return
    st.subheader(t("fact_sources", indicator=fact["indicator"], place=fact["place"] or "—", period=fact["period"]))
    if fact["status"] == "conflict":
        st.warning(t("fact_conflict_help"))
    elif fact["ambiguous"]:
        st.caption(t("fact_ambiguous_help"))
    # Documents of one near-duplicate group are one source: say which rows are reprints.
    group_size = rows.groupby("group_id")["doc_id"].transform("nunique")
    for cluster, part in rows.groupby("value_cluster", sort=True):
        value = fact["value_list"][int(cluster)] if len(fact["value_list"]) > int(cluster) else part["value"].iloc[0]
        st.markdown(f"**{charts.md_escape(t('fact_value', value=number(value), unit=fact['unit']))}** · "
                    + charts.md_escape(t("fact_value_sources", documents=part["doc_id"].nunique(),
                                         sources=part["group_id"].nunique())))
        for _, m in part.iterrows():
            sentence = m["sentence"] if isinstance(m["sentence"], str) and m["quote"] in m["sentence"] else m["quote"]
            start = sentence.index(m["quote"])
            st.markdown(highlight.box(highlight.marked(sentence, [(start, start + len(m["quote"]), m["quote"])],
                                                       current=0)), unsafe_allow_html=True)
            title = m["title"] if isinstance(m["title"], str) and m["title"] else m["doc"]
            when = m["published"].date().isoformat() if pd.notna(m["published"]) else "—"
            line = f"{t('source')}: {charts.md_escape(str(title))} · {when}"
            if group_size.loc[m.name] > 1:
                line += " · " + charts.md_escape(t("same_source_group"))
            if charts.web_url(m.get("url")):
                line += f" · [{t('open_url')}]({m['url']})"
            st.caption(line)
    table = pd.DataFrame({"value": rows["value"], "unit": rows["unit"], "quote": rows["quote"],
                          "indicator": rows["indicator"], "title": rows["title"], "published": rows["published"],
                          "reprint_group": [g[:8] for g in rows["group_id"]]})
    st.dataframe(charts.localise_columns(table), hide_index=True, key="fa_members")
