"""Timeline: one indicator over its reference period (or publication date) for chosen places."""
import streamlit as st

from ui import charts, factview, images
from ui.state import facts_ready, filters, img_format, q, t

f = filters()
ss = st.session_state
st.title(t("nav.timeline"))

ready = facts_ready()
ss.setdefault("tl_facts", False)
use_facts = st.toggle(t("show_facts"), key="tl_facts", disabled=not ready,
                      help=t("tl_facts_help") if ready else t("facts_missing")) and ready
if ss.get("tl_facts") and not ready:
    st.info(t("facts_missing"))
inds = q("fact_indicators" if use_facts else "top_indicators", f, 300)
if inds.empty:
    st.info(t("no_indicators"))
    st.stop()
options = inds["indicator"].tolist()
if ss.get("tl_indicator") not in options:
    ss["tl_indicator"] = options[0]
c1, c2, c3 = st.columns([2, 3, 2])
counts = dict(zip(inds["indicator"], inds["claims"]))
indicator = c1.selectbox(t("indicator"), options, key="tl_indicator", format_func=lambda i: f"{i} ({counts[i]:,})")
place_opts = q("fact_indicator_places" if use_facts else "indicator_places", f, indicator, 200)["place"].tolist()
if "tl_places" not in ss or not set(ss["tl_places"]) <= set(place_opts) or ss.get("_tl_for") != indicator:
    ss["tl_places"] = place_opts[:5]
    ss["_tl_for"] = indicator
chosen = c2.multiselect(t("places"), place_opts, key="tl_places")
axis = c3.radio(t("time_axis"), ["period", "published"], key="tl_axis", horizontal=True,
                format_func=lambda a: t(f"axis.{a}"))

rows = q("fact_timeline" if use_facts else "timeline", f, indicator, tuple(chosen))
labels = {k: t(k) for k in ("conflict", "source", "published", "period", "levels", "rates")}
labels["sources"] = t("col.n_sources")
if use_facts:
    st.caption(t("tl_facts_caption"))
figs = charts.timeline(rows, indicator, axis, labels)
if not figs:
    st.info(t("no_dated_claims"))
for i, (name, fig) in enumerate(figs):
    st.plotly_chart(fig, key=f"tl_chart_{i}",
                    config=charts.plot_config("timeline", indicator, name, fmt=img_format()))
    if images.available():  # server-side images, drawn only when a button is clicked
        stem = charts.file_stem("timeline", indicator, name)
        cols = st.columns(6)
        for col, fmt in zip(cols, images.FORMATS):
            col.download_button(t(f"server_{fmt}"), data=lambda fig=fig, fmt=fmt: images.render(fig, fmt),
                                file_name=f"{stem}.{fmt}", mime="image/png" if fmt == "png" else "image/svg+xml",
                                key=f"tl_{fmt}_{i}", on_click="ignore")
ss["briefing_indicator"] = indicator  # the export page's briefing pack charts what is shown here

conflicts = rows[rows["conflict"] > 1]
if not conflicts.empty:
    st.subheader(t("conflicts"))
    st.caption(t("conflicts_help"))
    cols = ["place", "period", "value", "unit", "kind", "quote", "title", "published"]
    if use_facts:
        conflicts = conflicts.assign(value=[factview.number(v) for v in conflicts["value"]])
        cols.insert(4, "sources")
    st.dataframe(charts.localise_columns(conflicts[cols].rename(columns={"sources": "n_sources"})),
                 hide_index=True, key="tl_conflicts")
