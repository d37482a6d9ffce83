"""Sources: the documents, each readable with all its claims marked; upload of new files."""
import streamlit as st

from ui import charts, highlight
from ui.state import filters, ingest_files, q, t

UPLOAD_TYPES = ["txt", "md", "html", "htm"]
f = filters()
ss = st.session_state
st.title(t("nav.sources"))

docs = q("documents", f, 500)
st.caption(t("documents_shown", n=len(docs)))
ids = docs["doc_id"].tolist()


def _pick_doc():
    """A row picked in the table opens that document below (the selectbox can still change it)."""
    rows = ss["src_table"].selection.rows
    if rows and rows[0] < len(ids):
        ss["src_doc"] = ids[rows[0]]


st.dataframe(charts.localise_columns(docs.drop(columns=["doc_id"])), hide_index=True, key="src_table",
             on_select=_pick_doc, selection_mode="single-row")

titles = dict(zip(docs["doc_id"], (docs["title"].fillna(docs["name"]))))
options = list(ids)
if ss.get("src_doc") and ss["src_doc"] not in titles:
    doc = q("document", ss["src_doc"])
    if doc is None:
        ss["src_doc"] = None
    else:
        options.insert(0, doc["doc_id"])
        titles[doc["doc_id"]] = doc["title"] or doc["name"]
if options:
    st.selectbox(t("document"), [None] + options, key="src_doc",
                 format_func=lambda d: t("pick_document") if d is None else f"{titles[d]} · {d[:8]}")
doc_id = ss.get("src_doc")
if doc_id:
    doc = q("document", doc_id)
    marks = q("document_claims", doc_id)
    st.subheader(doc["title"] or doc["name"])
    meta = [f"{t('published')}: {doc['published'] or '—'}", f"{t('claims')}: {len(marks)}"]
    if doc.get("source"):
        meta.append(f"{t('col.source')}: {doc['source']}")
    st.caption(" · ".join(meta))
    if charts.web_url(doc.get("url")):
        st.link_button(t("open_url"), doc["url"])
    spans = [(r.start, r.end, f"{r.indicator or ''} {r.value:g} {r.unit} ({t('kind.' + r.kind)})")
             for r in marks.itertuples()]
    st.markdown(highlight.box(highlight.marked(doc["text"], spans)), unsafe_allow_html=True)

st.divider()
st.subheader(t("upload"))
files = st.file_uploader(t("upload_help"), type=UPLOAD_TYPES, accept_multiple_files=True, key="src_upload")
if st.button(t("upload_ingest"), key="src_ingest", disabled=not files):
    bar = st.progress(0.0, text=t("upload_progress", i=0, n=len(files)))
    errors, added = [], 0
    for i, upl in enumerate(files, start=1):
        try:
            summary = ingest_files([(upl.name, upl.getvalue())])
        except Exception as err:  # one bad file must not stop the others; the user sees why
            errors.append((upl.name, f"{type(err).__name__}: {err}"))
        else:
            errors += [(upl.name, msg) for _, msg in summary.errors]
            added += summary.ingested
        bar.progress(i / len(files), text=t("upload_progress", i=i, n=len(files)))
    ss["src_last_upload"] = {"added": added, "files": len(files), "errors": errors}
    st.rerun()  # redraw the document list above with the new documents
last = ss.get("src_last_upload")
if last:
    st.success(t("upload_done", added=last["added"], n=last["files"]))
    if last["errors"]:
        st.error(t("upload_errors", n=len(last["errors"])))
        st.dataframe({t("file"): [e[0] for e in last["errors"]], t("error"): [e[1] for e in last["errors"]]},
                     hide_index=True, key="src_errors")
