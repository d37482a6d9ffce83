"""Claims table: filtered claims, a row's source passage with the claim marked, review actions;
or, switched to facts, one row per fact with its sources."""
import streamlit as st

from data.reviews import CORRECTABLE, ReviewError
from ui import charts, factview, highlight
from ui.state import add_review, facts_ready, filters, q, t

PAGE_SIZE = 500
f = filters()
ss = st.session_state
st.title(t("nav.claims"))

st.caption(t("search_in_sidebar"))
if ss.get("cl_view") not in ("claims", "facts"):  # a link may carry any ?view=
    ss["cl_view"] = "claims"
view = st.radio(t("table_view"), ["claims", "facts"], key="cl_view", horizontal=True,
                format_func=lambda v: t(f"table_view.{v}"), help=t("table_view_help"))
if view == "facts":
    if facts_ready():
        factview.render(f)
        st.stop()
    st.info(t("facts_missing"))
c2, c3 = st.columns([3, 2])
statuses = c2.multiselect(t("review_status"), ["unreviewed", "confirmed", "corrected", "rejected"],
                          default=["unreviewed", "confirmed", "corrected"], key="cl_status",
                          format_func=lambda s: t(f"status.{s}"))
f = f.narrowed(statuses=tuple(statuses))
total = q("count_claims", f)
pages = max(1, -(-total // PAGE_SIZE))
page = c3.number_input(t("page_of", n=pages), min_value=1, max_value=pages, value=1, step=1, key="cl_page")
st.caption(t("rows_shown", shown=min(PAGE_SIZE, max(total - (page - 1) * PAGE_SIZE, 0)), total=f"{total:,}"))

rows = q("claims", f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
event = st.dataframe(charts.localise_columns(rows.drop(columns=["doc_id"])), hide_index=True,
                     on_select="rerun", selection_mode="single-row", key="cl_table",
                     column_config={t("col.claim_id"): st.column_config.NumberColumn(format="%d")})
picked = event.selection.rows if event and event.selection else []
if not picked:
    st.info(t("pick_row"))
    st.stop()

claim_id = int(rows.iloc[picked[0]]["claim_id"])
detail = q("claim_detail", claim_id)
if detail is None:
    st.warning(t("claim_gone"))
    st.stop()
st.subheader(t("source_passage"))
offset = int(detail["passage_start"])
passage = detail["passage"] or ""
span = (int(detail["start"]) - offset, int(detail["end"]) - offset, detail["quote"])
st.markdown(highlight.box(highlight.marked(passage, [span], current=0)), unsafe_allow_html=True)
title = detail.get("title") or detail.get("name")
st.markdown(f"**{t('source')}:** {charts.md_escape(str(title))}"
            + (f" · [{t('open_url')}]({detail['url']})" if charts.web_url(detail.get("url")) else ""))
if st.button(t("open_document"), key="cl_open_doc"):
    ss["src_doc"] = detail["doc_id"]
    st.switch_page("views/sources.py")

st.subheader(t("review"))
history = q("claim_reviews", claim_id)
if not history.empty:
    st.dataframe(charts.localise_columns(history), hide_index=True, key="cl_history")
with st.form("cl_review", clear_on_submit=True):
    action = st.radio(t("review_action"), ["confirmed", "rejected", "corrected"], horizontal=True,
                      key="rv_action", format_func=lambda s: t(f"action.{s}"))
    field = st.selectbox(t("review_field"), list(CORRECTABLE), key="rv_field",
                         format_func=lambda c: t(f"col.{c}") if charts.has_label(f"col.{c}") else c)
    new_value = st.text_input(t("review_value"), key="rv_value")
    note = st.text_input(t("review_note"), key="rv_note")
    if st.form_submit_button(t("review_submit")):
        try:
            if action == "corrected":
                add_review(claim_id, action, field=field, new_value=new_value.strip() or None,
                           note=note.strip() or None)
            else:
                add_review(claim_id, action, note=note.strip() or None)
        except ReviewError as err:
            st.error(str(err))
        else:
            st.success(t("review_saved"))
