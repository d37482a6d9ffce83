"""Overview: headline figures of the filtered claims and the latest claims."""
import streamlit as st

from ui import charts
from ui.state import facts_ready, filters, img_format, q, t

f = filters()
st.title(t("app_title"))
st.caption(t("app_subtitle"))

head = q("headline", f)
totals = q("store_totals")
ready = facts_ready()
c1, c2, c3, c4, c5, c6 = st.columns(6)
c1.metric(t("documents"), f"{head['documents']:,}", help=t("of_total", n=f"{totals['documents']:,}"))
c2.metric(t("claims"), f"{head['claims']:,}", help=t("of_total", n=f"{totals['claims']:,}"))
c3.metric(t("places"), f"{head['places']:,}")
c4.metric(t("provinces"), f"{head['provinces']:,}")
if ready:  # a store from before the fact layer simply shows no fact figures
    fact_counts = q("count_facts", f)
    c5.metric(t("facts"), f"{fact_counts['facts']:,}", help=t("table_view_help"))
    c6.metric(t("fact_conflicts"), f"{fact_counts['conflicts']:,}", help=t("fact_conflict_help"))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("latest_claims"))
    latest = q("latest_claims", f, 15)
    if latest.empty:
        st.info(t("no_claims"))
    else:
        st.dataframe(charts.localise_columns(latest.drop(columns=["claim_id"])), hide_index=True,
                     key="overview_latest")
with right:
    st.subheader(t("claims_by_sector"))
    by_sector = q("claims_by", f, "sector")
    if not by_sector.empty:
        fig = charts.bar_counts(by_sector, "sector", lambda s: t(f"sector.{s}") if s else t("unknown"))
        st.plotly_chart(fig, config=charts.plot_config("overview_sectors", fmt=img_format()), key="overview_sectors")
