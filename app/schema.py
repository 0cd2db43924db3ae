"""The database contract between ingestion (writes) and the dashboard (reads); see docs/schema.md.

Names may be added, never changed: other tools load this schema directly.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = "2"  # 2: release.division, release.first_period/last_period; tables published_value, observation_revision

AREA_KINDS = ("country", "ely", "region", "municipality", "pilot", "group")
INDICATOR_KINDS = ("count", "ratio")
#: final = normal published value; suppressed = hidden small count (value NULL);
#: provisional = may still change; incomplete = an aggregate missing some members.
STATUSES = ("final", "provisional", "incomplete", "suppressed")

metadata = MetaData()

area = Table(
    "area",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name_fi", Text, nullable=False),
    Column("name_sv", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("population", Integer),
    Column("lat", Float),
    Column("lon", Float),
    Column("ely_code", String(16)),  # a pilot's ELY area (its TE office's, not the members' region)
    CheckConstraint(f"kind IN {AREA_KINDS!r}", name="area_kind_valid"),
)

area_membership = Table(
    "area_membership",
    metadata,
    Column("member_code", String(16), ForeignKey("area.code"), nullable=False),
    Column("group_code", String(16), ForeignKey("area.code"), nullable=False),
    Column("valid_from", Date),  # NULL: since ever
    Column("valid_to", Date),  # inclusive; NULL: still valid
    Index("ix_membership_group", "group_code", "member_code"),
    Index("ix_membership_member", "member_code"),
)

indicator = Table(
    "indicator",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("scale", Float, nullable=False, default=1.0),
    Column("numerator_code", String(64)),
    Column("denominator_code", String(64)),
    Column("source_code", String(64), nullable=False),
    Column("public", Boolean, nullable=False, default=True),
    Column("name_fi", Text, nullable=False),
    Column("name_sv", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("description_fi", Text, nullable=False),
    Column("description_sv", Text, nullable=False),
    Column("description_en", Text, nullable=False),
    CheckConstraint(f"kind IN {INDICATOR_KINDS!r}", name="indicator_kind_valid"),
)

release = Table(
    "release",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("licence", Text),
    Column("retrieved_at", DateTime),
    Column("published_at", DateTime),
    Column("sha256", String(64)),
    Column("row_count", Integer),
    # Added in version 2. division: the year of the area division the release is published in (a
    # Statistics Finland table publishes its whole history in the current year's division); NULL for
    # data published month by month in the division of its own month.
    Column("division", Integer),
    Column("first_period", Date),  # the first and last month the release holds
    Column("last_period", Date),
)

observation = Table(
    "observation",
    metadata,
    Column("indicator_code", String(64), ForeignKey("indicator.code"), primary_key=True),
    Column("area_code", String(16), ForeignKey("area.code"), primary_key=True),
    Column("period", Date, primary_key=True),  # first day of the month
    Column("value", Float),  # NULL when suppressed
    Column("status", String(16), nullable=False, default="final"),
    Column("release_id", Integer, ForeignKey("release.id")),
    CheckConstraint(f"status IN {STATUSES!r}", name="observation_status_valid"),
    CheckConstraint("status <> 'suppressed' OR value IS NULL", name="suppressed_has_no_value"),
    Index("ix_observation_period", "indicator_code", "period"),
)

published_value = Table(
    "published_value",
    metadata,
    # Figures a publisher printed (TEM's pilot reviews, the Employment Bulletin), kept apart from the
    # observations: they are drawn beside the computed series and compared with it, never merged into it.
    Column("indicator_code", String(64), ForeignKey("indicator.code"), primary_key=True),
    Column("area_code", String(16), ForeignKey("area.code"), primary_key=True),
    Column("period", Date, primary_key=True),  # first day of the month
    Column("release_id", Integer, ForeignKey("release.id"), primary_key=True),  # the source that printed it
    Column("value", Float, nullable=False),
    Column("approximate", Boolean, nullable=False, default=False),  # printed as "about N"
)

boundary = Table(
    "boundary",
    metadata,
    Column("area_code", String(16), ForeignKey("area.code"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("geometry", Text, nullable=False),  # GeoJSON geometry, WGS84
)

# Derived, not source data: each group area's series as app.queries.indicator_values computes it for
# that area alone, written by the ingestion CLI after a load (app.ingest.series) so a read of a summed
# area is an index lookup. Valid only while meta's series_version equals its data_version, which every
# load raises; otherwise the dashboard computes the sums itself, as before. Never the only copy.
area_series = Table(
    "area_series",
    metadata,
    Column("indicator_code", String(64), ForeignKey("indicator.code"), primary_key=True),
    Column("area_code", String(16), ForeignKey("area.code"), primary_key=True),
    Column("period", Date, primary_key=True),
    Column("value", Float),
    Column("status", String(16), nullable=False),
    Column("source", String(16), nullable=False),  # published or computed
    Column("computed_value", Float),
    Column("members", Integer),
    Column("suppressed_members", Text),  # comma-separated area codes; '' none, NULL not computed
    Column("numerator", Float),  # ratios only
    Column("denominator", Float),
)

# Derived like area_series and valid under the same version: how many rows of each indicator each
# release holds, and which months, so a chart's source line is a lookup, not a count of the history.
release_coverage = Table(
    "release_coverage",
    metadata,
    Column("indicator_code", String(64), ForeignKey("indicator.code"), nullable=False),
    Column("release_id", Integer, ForeignKey("release.id")),  # NULL: rows without a recorded release
    Column("first_period", Date, nullable=False),
    Column("last_period", Date, nullable=False),
    Column("rows", Integer, nullable=False),
    Index("ix_release_coverage_indicator", "indicator_code"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# A value a later load replaced: the superseded value with its release, and the value and release that
# replaced it, so a revision can be shown and dated. A load that repeats a value adds no row.
observation_revision = Table(
    "observation_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_code", String(64), ForeignKey("indicator.code"), nullable=False),
    Column("area_code", String(16), ForeignKey("area.code"), nullable=False),
    Column("period", Date, nullable=False),  # first day of the month
    Column("old_value", Float),  # NULL when the superseded value was suppressed
    Column("old_status", String(16), nullable=False),
    Column("old_release_id", Integer, ForeignKey("release.id")),
    Column("new_value", Float),
    Column("new_status", String(16), nullable=False),
    Column("new_release_id", Integer, ForeignKey("release.id"), nullable=False),
    Index("ix_revision_release", "new_release_id"),
    Index("ix_revision_key", "indicator_code", "area_code", "period"),
)
