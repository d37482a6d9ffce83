"""Indicator Atlas dashboard: navigation, the shared sidebar of filters, then the chosen page.

Run with `streamlit run app.py`; the bundled demo corpus is ingested on the first start.
"""
import streamlit as st

from ui import sidebar, state

st.set_page_config(page_title="Indicator Atlas 区域经济指标图谱", page_icon="🗺️", layout="wide")

PAGES = (  # (file, label key, url path, icon)
    ("views/overview.py", "nav.overview", "overview", ":material/dashboard:"),
    ("views/map.py", "nav.map", "map", ":material/map:"),
    ("views/timeline.py", "nav.timeline", "timeline", ":material/show_chart:"),
    ("views/claims.py", "nav.claims", "claims", ":material/table_rows:"),
    ("views/sources.py", "nav.sources", "sources", ":material/article:"),
    ("views/export.py", "nav.export", "export", ":material/download:"),
)

state.connection()
st.session_state["_data_version"] = state.data_version()
sidebar.load_url()  # before the page titles: the URL may switch the language
nav = st.navigation([st.Page(path, title=state.t(label), url_path=url, icon=icon, default=(i == 0))
                     for i, (path, label, url, icon) in enumerate(PAGES)])
st.session_state["filters"] = sidebar.build()
nav.run()
