"""The app's link to the store: one cached connection, cached queries keyed on filters, writes."""
from __future__ import annotations

import threading

import streamlit as st

from data import queries

from . import i18n


def lang() -> str:
    """The interface language of this session (zh unless switched)."""
    return st.session_state.get("lang", "zh") if st.session_state.get("lang") in i18n.LANGS else "zh"


def t(key: str, **fmt) -> str:
    """A label in the session's language."""
    return i18n.text(key, lang(), **fmt)


def db_path() -> str:
    """The store file the app reads: the store's default path (its env override included)."""
    from data import store

    return str(store.default_path())


# Building the fact layer of a store from before it runs at about 6,000 claims a second (2 cores);
# above this many claims the app would start too slowly, so it says how to build it instead.
AUTO_FACTS_CLAIMS = 150_000


@st.cache_resource(show_spinner=" / ".join(i18n.text("store_opening", lang) for lang in i18n.LANGS))
def _connection(path: str):
    from data import ingest, store

    con = store.connect(path)
    # First start on a fresh machine: load the bundled demo corpus so the app is never empty.
    ingest.ensure_demo(con=con)
    sync_facts(con)
    from .places import warm  # here, once per process; ui.places imports this module

    # The first drill-down into a province would otherwise wait for the boundary files.
    threading.Thread(target=warm, name="warm-boundaries", daemon=True).start()
    return con


def sync_facts(con, limit: int = AUTO_FACTS_CLAIMS) -> dict | None:
    """Bring the fact layer up to the store: build it once when missing (a store from before the
    layer), else update the facts of documents it has not seen; None when it was not done (the
    store cannot be written, or more than `limit` claims wait: `python -m indicators facts --rebuild`)."""
    import logging

    import duckdb

    from data import facts

    unseen = queries.facts_unseen_documents(con)
    waiting = queries.store_totals(con)["claims"] if unseen is None else queries.claims_of_documents(con, unseen)
    if waiting > limit:
        logging.getLogger(__name__).warning("fact layer not built at start: %d claims wait; run "
                                            "`python -m indicators facts --rebuild`", waiting)
        return None
    cur = con.cursor()
    try:
        if unseen is None:
            return facts.rebuild_facts(cur)
        # The store keeps facts on every write; documents without a near-duplicate group were written
        # by older code, so this catches up on them only (usually none: one catalogue lookup).
        return facts.update_facts(cur, unseen) if unseen else {"documents": 0, "keys": 0, "facts": 0}
    except duckdb.Error as err:  # a read-only store: the pages fall back to claims
        logging.getLogger(__name__).warning("fact layer not updated: %s", err)
        return None
    finally:
        cur.close()


def facts_ready() -> bool:
    """Whether the store holds the fact layer (asked each run: it is one catalogue lookup)."""
    return queries.has_facts(connection())


def connection():
    """The shared DuckDB connection of this app process."""
    return _connection(db_path())


def data_version() -> tuple:
    """A token that changes whenever documents or reviews are added (part of every cache key)."""
    return queries.data_version(connection())


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(path: str, version: tuple, name: str, args: tuple, kwargs: tuple):
    return getattr(queries, name)(_connection(path), *args, **dict(kwargs))


def q(name: str, *args, **kwargs):
    """Run `data.queries.<name>(con, *args, **kwargs)` through the result cache."""
    version = st.session_state.get("_data_version")
    if version is None:
        version = data_version()
    return _cached(db_path(), version, name, args, tuple(sorted(kwargs.items())))


def refresh() -> None:
    """Forget cached results after a write, so the next run reads the new data."""
    st.session_state["_data_version"] = data_version()


def add_review(claim_id: int, status: str, field: str | None = None, new_value: str | None = None,
               note: str | None = None) -> None:
    """Store one review action through the store's review API."""
    from data import reviews

    cur = connection().cursor()  # a cursor per write: sessions run on several threads
    try:
        reviews.add_review(cur, int(claim_id), status, field=field, new_value=new_value, note=note)
    finally:
        cur.close()
    refresh()


def ingest_files(files: list[tuple[str, bytes]]):
    """Ingest uploaded (name, bytes) pairs through the ingestion code; returns its summary."""
    from data import ingest

    cur = connection().cursor()
    try:
        summary = ingest.ingest_bytes(files, con=cur)
    finally:
        cur.close()
    refresh()
    return summary


def filters():
    """The shared sidebar's filters of this run."""
    from .sidebar import current

    return st.session_state.get("filters") or current()


def img_format() -> str:
    """The image format (png or svg) the chart toolbars download."""
    return st.session_state.get("img_format") or "png"
