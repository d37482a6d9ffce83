"""Streamlit helpers of the dashboard: state, sidebar filters, labels, charts, map, exports."""
