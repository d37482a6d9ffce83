"""Map: a choropleth by province, drilling down to cities and counties, with claim markers."""
import streamlit as st

from ui import charts, factview, mapsvg, mapview, places
from ui.state import facts_ready, filters, q, t

f = filters()
ss = st.session_state
st.title(t("nav.map"))

level, parent, child_key = places.drill_level()  # follows the sidebar: China → province → city
where = t("china") if parent is None else places.name(parent)
f_area = f.narrowed(adcode=parent)  # the map shows all children of the drilled area, not only one

c1, c2, c3 = st.columns([2, 3, 2])
ready = facts_ready()
ss.setdefault("map_facts", False)
use_facts = c1.toggle(t("show_facts"), key="map_facts", disabled=not ready,
                      help=t("show_facts_help") if ready else t("facts_missing")) and ready
if ss.get("map_facts") and not ready:
    c1.caption(t("facts_missing"))
metric = c1.radio(t("map_metric"), ["claims", "latest_value"], key="map_metric",
                  format_func=lambda m: t(f"map_metric_facts.{m}" if use_facts else f"map_metric.{m}"),
                  horizontal=True)
indicator = None
if metric == "latest_value":
    inds = q("fact_indicators" if use_facts else "top_indicators", f_area, 200)["indicator"].tolist()
    if inds:
        indicator = c2.selectbox(t("indicator"), inds, key="map_indicator")
    else:
        c2.info(t("no_indicators"))
show_markers = c3.toggle(t("map_markers"), value=True, key="map_markers")
basemap = c3.toggle(t("map_basemap"), value=False, key="map_basemap", help=t("map_basemap_help"))

labels = {"claims": t("facts") if use_facts else t("claims"), "latest": t("latest_value"),
          "conflicts": t("fact_status.conflict"), "sources": t("col.n_sources")}
painted = places.painted_map(f_area, level, parent, indicator, labels, facts=use_facts)
if not show_markers:
    marks = []
elif use_facts:
    marks = mapview.fact_marker_rows(q("fact_markers", f_area, 3000), labels, number=factview.number)
else:
    marks = mapview.marker_rows(q("markers", f_area, 3000), labels)


def _drill():
    """A click on an area selects it in the sidebar, which drills the map down one level."""
    sel = ss.get("map_deck")
    objs = ((sel or {}).get("selection") or {}).get("objects") or {}
    for obj in objs.get("regions") or []:
        code = (obj.get("properties") or {}).get("adcode")
        if code and str(code) in places.options(parent):
            ss[child_key] = str(code)
            return


st.caption(t("map_caption", where=where, level=t(f"level.{level}"))
           + (" " + t("map_facts_caption") if use_facts else ""))
st.pydeck_chart(mapview.deck(painted, marks, basemap=basemap), key="map_deck", on_select=_drill,
                selection_mode="single-object", height=560)


def _up():
    if level == "county":
        ss["f_city"], ss["f_dist"] = None, None
    else:
        ss["f_prov"] = None


if parent is not None:
    st.button(t("map_up"), key="map_up", on_click=_up)
svg_title = f"{t('app_title')} · {where}"
st.download_button(t("download_map_svg"), data=lambda: mapsvg.render(painted, marks, title=svg_title), file_name=charts.file_stem("map", where) + ".svg",
                   mime="image/svg+xml", key="dl_map_svg", on_click="ignore")
