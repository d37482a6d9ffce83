"""Exports for briefings: filtered claims as CSV and XLSX, and a one-file HTML briefing pack."""
import streamlit as st

from data import queries
from ui import charts, exports, mapsvg, mapview, places
from ui.state import connection, filters, q, t

f = filters()
ss = st.session_state
st.title(t("nav.export"))
total = q("count_claims", f)
st.write(t("export_rows", total=f"{total:,}", cap=f"{queries.MAX_ROWS:,}"))
con = connection()
headers = {c: t(f"col.{c}") if charts.has_label(f"col.{c}") else c for c in queries.EXPORT_COLUMNS}
stem = charts.file_stem("claims")


def claims_frame():
    """The filtered claims with quotes and sources (read when a download is clicked)."""
    return queries.export_claims(con, f)


c1, c2, c3 = st.columns(3)
c1.download_button(t("download_csv"), data=lambda: exports.csv_bytes(claims_frame()), file_name=stem + ".csv",
                   mime="text/csv", key="dl_csv", on_click="ignore", icon=":material/csv:")
c2.download_button(t("download_xlsx"), data=lambda: exports.xlsx_bytes(claims_frame()),
                   file_name=stem + ".xlsx", key="dl_xlsx", on_click="ignore", icon=":material/table:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# The briefing pack: what the map and timeline pages show for the current filters.
level, parent, _ = places.drill_level()
where = t("china") if parent is None else places.name(parent)
indicator = ss.get("briefing_indicator")
top = q("top_indicators", f, 1)
if indicator is None and not top.empty:
    indicator = top["indicator"].iloc[0]
labels = {k: t(k) for k in ("conflict", "source", "published", "period", "levels", "rates")}
timeline_rows = None
if indicator:
    chosen = tuple(q("indicator_places", f, indicator, 8)["place"])
    timeline_rows = q("timeline", f, indicator, chosen)
axis = ss.get("tl_axis") or "period"
map_labels = {"claims": t("claims"), "latest": t("latest_value")}
painted = places.painted_map(f.narrowed(adcode=parent), level, parent, None, map_labels)
marks = mapview.marker_rows(q("markers", f.narrowed(adcode=parent), 3000), map_labels)
head = q("headline", f)
facts = {t("documents"): f"{head['documents']:,}", t("claims"): f"{head['claims']:,}",
         t("places"): f"{head['places']:,}", t("provinces"): f"{head['provinces']:,}"}
section = {k: t(f"pack.{k}") for k in ("generated", "charts", "map", "claims", "first_rows")}


title, subtitle = t("app_title"), t("pack.subtitle", where=where, indicator=indicator or "—")


def pack():
    """The one-file HTML briefing pack of the current view."""
    # Built on click (a deferred download), not on every run of the page.
    figs = [] if timeline_rows is None else charts.timeline(timeline_rows, indicator, axis, labels)
    rows = queries.export_claims(con, f, exports.PACK_ROWS)
    return exports.briefing_html(title, subtitle, facts, figs, mapsvg.render(painted, marks, where), rows,
                                 total, headers, section)


c3.download_button(t("download_pack"), data=pack, file_name=charts.file_stem("briefing", where) + ".html",
                   mime="text/html", key="dl_pack", on_click="ignore", icon=":material/article:")
st.caption(t("pack_help"))
st.subheader(t("export_preview"))
st.dataframe(charts.localise_columns(q("claims", f, 20).drop(columns=["doc_id"])), hide_index=True,
             key="export_preview")
