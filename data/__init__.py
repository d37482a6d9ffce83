"""The claims store (DuckDB), ingestion, the fact layer and the dashboard's queries."""
from native import use as _use_native

_use_native(__name__, __path__)  # the compiled build of the fact layer's modules, if it matches them
