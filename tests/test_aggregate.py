"""Aggregation rules on hand-made cases: sums, ratio of sums, suppression, dated membership."""

from datetime import date

import polars as pl
import pytest

from app.areas import MEMBERSHIP_SCHEMA
from app.aggregate import OBSERVATION_SCHEMA, aggregate_counts, prefer_published, ratio_of_sums

JAN = date(2024, 1, 1)


def members(rows):
    return pl.DataFrame(rows, schema=MEMBERSHIP_SCHEMA, orient="row")


def values(rows):
    return pl.DataFrame(rows, schema=OBSERVATION_SCHEMA, orient="row")


def one(frame, area, period=JAN):
    row = frame.filter((pl.col("area_code") == area) & (pl.col("period") == period))
    assert row.height == 1, frame
    return row.row(0, named=True)


def test_count_is_the_sum_of_members():
    m = members([("KU1", "G", None, None), ("KU2", "G", None, None), ("KU3", "H", None, None)])
    v = values([("KU1", JAN, 10.0, "final"), ("KU2", JAN, 32.0, "final"), ("KU3", JAN, 5.0, "final")])
    out = aggregate_counts(m, v)
    assert one(out, "G")["value"] == 42.0
    assert one(out, "G")["status"] == "final"
    assert one(out, "G")["members"] == 2
    assert one(out, "H")["value"] == 5.0


def test_ratio_is_sum_of_numerators_over_sum_of_denominators_not_mean_of_rates():
    m = members([("KU1", "G", None, None), ("KU2", "G", None, None)])
    den = aggregate_counts(m, values([("KU1", JAN, 10.0, "final"), ("KU2", JAN, 900.0, "final")]))
    num = aggregate_counts(m, values([("KU1", JAN, 5.0, "final"), ("KU2", JAN, 90.0, "final")]))
    out = ratio_of_sums(num, den, 100.0)
    row = one(out, "G")
    mean_of_rates = (5 / 10 * 100 + 90 / 900 * 100) / 2  # 30 %
    assert row["value"] == pytest.approx(95 / 910 * 100)  # 10.44 %
    assert row["value"] != pytest.approx(mean_of_rates)
    assert (row["numerator"], row["denominator"]) == (95.0, 910.0)


def test_suppressed_member_makes_count_incomplete_lower_bound_and_ratio_null():
    m = members([("KU1", "G", None, None), ("KU2", "G", None, None)])
    num = aggregate_counts(m, values([("KU1", JAN, None, "suppressed"), ("KU2", JAN, 50.0, "final")]))
    den = aggregate_counts(m, values([("KU1", JAN, 30.0, "final"), ("KU2", JAN, 500.0, "final")]))
    row = one(num, "G")
    assert row["status"] == "incomplete"
    assert row["value"] == 50.0  # lower bound: the known members
    assert row["suppressed_members"] == ["KU1"]
    ratio = one(ratio_of_sums(num, den, 100.0), "G")
    assert ratio["value"] is None
    assert ratio["status"] == "incomplete"


def test_all_members_suppressed_gives_no_value_not_zero():
    m = members([("KU1", "G", None, None)])
    out = aggregate_counts(m, values([("KU1", JAN, None, "suppressed")]))
    assert one(out, "G")["value"] is None
    assert one(out, "G")["status"] == "incomplete"


def test_missing_member_row_counts_as_incomplete():
    m = members([("KU1", "G", None, None), ("KU2", "G", None, None)])
    out = aggregate_counts(m, values([("KU1", JAN, 7.0, "final")]))
    assert one(out, "G")["status"] == "incomplete"
    assert one(out, "G")["suppressed_members"] == ["KU2"]


def test_provisional_member_makes_aggregate_provisional():
    m = members([("KU1", "G", None, None), ("KU2", "G", None, None)])
    out = aggregate_counts(m, values([("KU1", JAN, 7.0, "provisional"), ("KU2", JAN, 3.0, "final")]))
    assert one(out, "G")["status"] == "provisional"


def test_municipality_changing_ely_on_2025_counts_in_old_area_before_and_new_after():
    dec24, jan25 = date(2024, 12, 1), date(2025, 1, 1)
    m = members([
        ("KU171", "ELY07", None, date(2024, 12, 31)),
        ("KU171", "ELY08", date(2025, 1, 1), None),
        ("KU491", "ELY07", None, None),
        ("KU297", "ELY08", None, None),
    ])
    v = values([
        ("KU171", dec24, 100.0, "final"), ("KU171", jan25, 110.0, "final"),
        ("KU491", dec24, 1000.0, "final"), ("KU491", jan25, 1000.0, "final"),
        ("KU297", dec24, 5000.0, "final"), ("KU297", jan25, 5000.0, "final"),
    ])
    out = aggregate_counts(m, v)
    assert one(out, "ELY07", dec24)["value"] == 1100.0
    assert one(out, "ELY07", jan25)["value"] == 1000.0
    assert one(out, "ELY08", dec24)["value"] == 5000.0
    assert one(out, "ELY08", jan25)["value"] == 5110.0
    assert one(out, "ELY07", jan25)["members"] == 1


def test_published_aggregate_is_preferred_and_computed_kept_for_checking():
    m = members([("KU1", "G", None, None), ("KU2", "G", None, None)])
    computed = aggregate_counts(m, values([("KU1", JAN, 10.0, "final"), ("KU2", JAN, 20.0, "final"),
                                           ("KU1", date(2024, 2, 1), 1.0, "final"),
                                           ("KU2", date(2024, 2, 1), 2.0, "final")]))
    published = values([("G", JAN, 31.0, "final")])
    out = prefer_published(published, computed)
    jan = one(out, "G")
    assert (jan["value"], jan["source"], jan["computed_value"]) == (31.0, "published", 30.0)
    feb = one(out, "G", date(2024, 2, 1))
    assert (feb["value"], feb["source"]) == (3.0, "computed")


# --- properties over random member sets ------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

member_pairs = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=50_000)),
    min_size=1, max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(member_pairs)
def test_ratio_of_sums_equals_the_pooled_rate_and_lies_between_member_rates(pairs):
    pairs = [(min(n, d), d) for n, d in pairs]  # a share: numerator at most the denominator
    codes = [f"KU{i:03d}" for i in range(len(pairs))]
    m = members([(c, "G", None, None) for c in codes])
    num = aggregate_counts(m, values([(c, JAN, float(n), "final") for c, (n, _) in zip(codes, pairs)]))
    den = aggregate_counts(m, values([(c, JAN, float(d), "final") for c, (_, d) in zip(codes, pairs)]))
    row = one(ratio_of_sums(num, den, 100.0), "G")
    pooled = sum(n for n, _ in pairs) / sum(d for _, d in pairs) * 100
    rates = [n / d * 100 for n, d in pairs]
    assert row["value"] == pytest.approx(pooled)
    assert min(rates) - 1e-9 <= row["value"] <= max(rates) + 1e-9
    assert row["status"] == "final"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=5_000)), min_size=1, max_size=30))
def test_count_is_the_known_sum_and_incomplete_exactly_when_a_member_is_suppressed(raw):
    codes = [f"KU{i:03d}" for i in range(len(raw))]
    rows = [(c, JAN, None if v is None else float(v), "suppressed" if v is None else "final")
            for c, v in zip(codes, raw)]
    out = one(aggregate_counts(members([(c, "G", None, None) for c in codes]), values(rows)), "G")
    known = [v for v in raw if v is not None]
    assert out["status"] == ("incomplete" if len(known) < len(raw) else "final")
    assert out["value"] == (float(sum(known)) if known else None)
    assert out["suppressed_members"] == [c for c, v in zip(codes, raw) if v is None]


def test_pilot_scoped_members_outside_the_pilots_are_structural_zeros_but_pilot_gaps_are_not():
    m = members([("KU1", "G", None, None), ("KU2", "G", None, None), ("KU3", "G", None, None)])
    required = pl.DataFrame({"member_code": ["KU1", "KU2"], "period": [JAN, JAN]})
    complete = aggregate_counts(m, values([("KU1", JAN, 10.0, "final"), ("KU2", JAN, 5.0, "final")]),
                                required=required)
    assert (one(complete, "G")["value"], one(complete, "G")["status"]) == (15.0, "final")  # KU3: no pilot, 0
    gap = aggregate_counts(m, values([("KU1", JAN, 10.0, "final")]), [JAN], required=required)
    assert one(gap, "G")["status"] == "incomplete" and one(gap, "G")["suppressed_members"] == ["KU2"]
    hidden = aggregate_counts(m, values([("KU1", JAN, 10.0, "final"), ("KU2", JAN, 5.0, "final"),
                                         ("KU3", JAN, None, "suppressed")]), required=required)
    assert one(hidden, "G")["status"] == "incomplete"  # a suppressed row is never a zero


def test_a_month_with_only_a_denominator_is_kept_as_incomplete():
    m = members([("KU1", "G", None, None)])
    num = aggregate_counts(m, values([("KU1", JAN, 5.0, "final")]))
    den = aggregate_counts(m, values([("KU1", JAN, 50.0, "final"), ("KU1", date(2024, 2, 1), 60.0, "final")]))
    out = ratio_of_sums(num, den, 100.0)
    assert one(out, "G")["value"] == pytest.approx(10.0)
    feb = one(out, "G", date(2024, 2, 1))
    assert feb["value"] is None and feb["status"] == "incomplete"
