"""Pure analysis over observation frames (polars in, polars or dataclasses out) for pages, embeds and snapshots.

Observation frames have `area_code` (str), `period` (pl.Date, the first of the month), `value` (Float64;
null means unknown, suppressed or missing, never 0) and `status` (final, provisional, incomplete,
suppressed). Nothing here reads the database, imports Streamlit or draws a figure.
"""
