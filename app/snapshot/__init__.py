"""Static snapshots for embeds and the public: self-contained HTML, SVG, PNG, CSV and JSON per view.

Never imports Streamlit. The chart comes from app.charts (the same functions as the pages), the
table from app.exports.tidy_frame; public rules (app.disclosure) are applied by the caller before.
"""

from app.snapshot.files import (
    SnapshotMeta,
    app_version,
    export_figure,
    figure_image,
    read_metadata,
    snapshot_slug,
    write_index,
    write_snapshot,
)
from app.snapshot.render import ChromiumRenderer, RendererUnavailable, chromium_path

__all__ = ["ChromiumRenderer", "RendererUnavailable", "SnapshotMeta", "app_version", "chromium_path",
           "export_figure", "figure_image", "read_metadata", "snapshot_slug", "write_index", "write_snapshot"]
