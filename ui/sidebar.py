"""The one shared sidebar of filters, kept in the URL so that a link reproduces the view."""
from __future__ import annotations

from datetime import date

import streamlit as st

from data.queries import Filters
from indicators.claim import KINDS, SECTORS

from . import places
from .state import facts_ready, q, t

# widget key -> URL parameter; multi-valued parameters repeat (?sector=a&sector=b)
SINGLE = {"f_prov": "prov", "f_city": "city", "f_dist": "dist", "f_ind": "ind", "f_src": "src",
          "f_pfrom": "pfrom", "f_pto": "pto",
          "f_q": "q", "lang": "lang", "src_doc": "doc", "cl_view": "view"}
DEFAULTS = {"lang": "zh", "cl_view": "claims"}  # values the URL leaves out
MULTI = {"f_sector": "sector", "f_kind": "kind"}
# on/off switches: present in the URL as name=1 when on (the pages' facts toggles live here too,
# so a shared link opens the same view of facts or claims)
FLAGS = {"f_conf": "conflicts", "map_facts": "mapfacts", "tl_facts": "tlfacts"}
TRUE = ("1", "true", "yes", "on")
RANGES = {"f_pub": "pub"}  # "2024-01-01..2024-06-30"


def _parse_dates(text: str) -> tuple[date, date] | None:
    try:
        lo, hi = (date.fromisoformat(x) for x in text.split("..", 1))
    except ValueError:
        return None
    return (min(lo, hi), max(lo, hi))


def _from_url() -> None:
    """On the session's first run, put the URL's filter values into the widgets' state."""
    params = st.query_params
    for key, name in SINGLE.items():
        if name in params and params[name]:
            st.session_state[key] = params[name]
    for key, name in MULTI.items():
        values = [v for v in params.get_all(name) if v]
        if values:
            st.session_state[key] = values
    if st.session_state.get("cl_view") not in (None, "claims", "facts"):
        del st.session_state["cl_view"]
    for key, name in FLAGS.items():
        if name in params:
            st.session_state[key] = str(params[name]).strip().lower() in TRUE
    if st.session_state.get("lang") not in ("zh", "en"):
        st.session_state["lang"] = "zh"
    for key in ("f_pfrom", "f_pto"):
        if isinstance(st.session_state.get(key), str):
            st.session_state[key] = int(st.session_state[key]) if st.session_state[key].isdigit() else None
    if "pub" in params and (days := _parse_dates(params["pub"])):
        st.session_state["f_pub"] = days


def _to_url() -> None:
    """Write the current filter values into the URL (only when they changed)."""
    ss = st.session_state
    wanted: dict[str, str | list[str]] = {}
    for key, name in SINGLE.items():
        if ss.get(key) and ss[key] != DEFAULTS.get(key):
            wanted[name] = str(ss[key])
    for key, name in FLAGS.items():
        if ss.get(key):
            wanted[name] = "1"
    for key, name in MULTI.items():
        if ss.get(key):
            wanted[name] = list(ss[key])
    pub = ss.get("f_pub")
    if isinstance(pub, (tuple, list)) and len(pub) == 2:
        wanted["pub"] = f"{pub[0].isoformat()}..{pub[1].isoformat()}"
    current = {k: (st.query_params.get_all(k) if len(st.query_params.get_all(k)) > 1 else st.query_params[k])
               for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _keep(keys) -> None:
    # Streamlit forgets a widget's value on a run where the widget is not drawn; re-assigning
    # keeps it, so filters survive page switches and the sidebar rebuilding its options.
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _valid(key: str, options: list) -> None:
    if st.session_state.get(key) is not None and st.session_state[key] not in options:
        st.session_state[key] = None


def load_url() -> None:
    """On the session's first run, take the filters from the URL; later runs keep their state."""
    if not st.session_state.get("_url_loaded"):
        _from_url()
        st.session_state["_url_loaded"] = True


def build() -> Filters:
    """Draw the sidebar (language, place, sector, indicator, kind, periods, source, search)."""
    ss = st.session_state
    load_url()
    _keep(list(SINGLE) + list(MULTI) + list(RANGES) + list(FLAGS))
    ss.setdefault("lang", "zh")
    sb = st.sidebar
    sb.segmented_control("Language", options=["zh", "en"], key="lang", label_visibility="collapsed",
                         format_func=lambda x: {"zh": "中文", "en": "English"}[x])
    sb.header(t("filters"))

    prov_opts = places.options(None)
    _valid("f_prov", list(prov_opts))
    sb.selectbox(t("province"), [None] + list(prov_opts), key="f_prov",
                 format_func=lambda c: t("all") if c is None else prov_opts[c])
    city_opts = places.options(ss["f_prov"]) if ss.get("f_prov") else {}
    _valid("f_city", list(city_opts))
    sb.selectbox(t("city"), [None] + list(city_opts), key="f_city", disabled=not city_opts,
                 format_func=lambda c: t("all") if c is None else city_opts[c])
    dist_opts = places.options(ss["f_city"]) if ss.get("f_city") else {}
    _valid("f_dist", list(dist_opts))
    sb.selectbox(t("district"), [None] + list(dist_opts), key="f_dist", disabled=not dist_opts,
                 format_func=lambda c: t("all") if c is None else dist_opts[c])

    ranges = q("option_ranges")
    sectors = [s for s in SECTORS if s in ranges["sectors"]] or list(SECTORS)
    ss["f_sector"] = [s for s in ss.get("f_sector", []) if s in SECTORS]
    sb.multiselect(t("sector"), sectors, key="f_sector", format_func=lambda s: t(f"sector.{s}"), placeholder=t("all"))
    sb.text_input(t("indicator_search"), key="f_ind", placeholder=t("indicator_placeholder"))
    ss["f_kind"] = [k for k in ss.get("f_kind", []) if k in KINDS]
    sb.multiselect(t("kind"), list(KINDS), key="f_kind", format_func=lambda k: t(f"kind.{k}"), placeholder=t("all"))

    lo, hi = ranges["period_min"], ranges["period_max"]
    if lo is not None and hi is not None:
        years = list(range(int(lo), int(hi) + 1))
        _valid("f_pfrom", years)
        _valid("f_pto", years)
        left, right = sb.columns(2)
        left.selectbox(t("period_from"), [None] + years, key="f_pfrom",
                       format_func=lambda y: t("any") if y is None else str(y))
        right.selectbox(t("period_to"), [None] + years, key="f_pto",
                        format_func=lambda y: t("any") if y is None else str(y))
    pmin, pmax = ranges["published_min"], ranges["published_max"]
    if pmin is not None and pmax is not None:
        ss.setdefault("f_pub", ())
        chosen = [d for d in ss["f_pub"] or () if d is not None]
        # A shared link may name dates outside the data's range: widen the picker, not the link.
        sb.date_input(t("published"), key="f_pub", min_value=min([pmin, pmax, *chosen]),
                      max_value=max([pmin, pmax, *chosen]), format="YYYY-MM-DD")
    sb.text_input(t("source"), key="f_src", placeholder=t("source_placeholder"))
    sb.text_input(t("search"), key="f_q", placeholder=t("search_placeholder"))
    ss.setdefault("f_conf", False)
    ready = facts_ready()
    sb.toggle(t("conflicts_only"), key="f_conf", disabled=not ready,
              help=t("conflicts_only_help") if ready else t("facts_missing"))
    sb.divider()
    _keep(["img_format"])
    ss.setdefault("img_format", "png")
    sb.segmented_control(t("image_format"), ["png", "svg"], key="img_format",
                         format_func=str.upper, help=t("image_format_help"))
    _to_url()
    return current()


def current() -> Filters:
    """The filters as the sidebar's state holds them now."""
    ss = st.session_state
    adcode = ss.get("f_dist") or ss.get("f_city") or ss.get("f_prov") or None
    pub = ss.get("f_pub")
    pub = tuple(pub) if isinstance(pub, (tuple, list)) and len(pub) == 2 else (None, None)
    return Filters(adcode=adcode, sectors=tuple(ss.get("f_sector") or ()), indicator=ss.get("f_ind") or "",
                   kinds=tuple(ss.get("f_kind") or ()),
                   period_from=ss.get("f_pfrom"), period_to=ss.get("f_pto"),
                   published_from=pub[0], published_to=pub[1], source=ss.get("f_src") or "",
                   search=ss.get("f_q") or "", conflicts=bool(ss.get("f_conf")))
