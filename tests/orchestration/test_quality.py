"""The great-expectations suite builder (orchestration/lib/quality.py): which expectations
a TableSpec yields, what the suite reads, and what a failing load reports. No Dagster.
"""

from __future__ import annotations

import math

import pandas as pd

from connectors._shared.spec import NUMBER, TIMESTAMP, TableSpec
from orchestration.lib import quality

CONTACTS = TableSpec(
    name="test_contacts", group="test", entity="contacts",
    columns=("contact_id", "email", "lifecycle", "created_at", "score"),
    key=("contact_id",), required=("contact_id", "created_at"),
    types={"created_at": TIMESTAMP, "score": NUMBER}, value_sets={"lifecycle": ("Lead", "MQL")},
)
# 2026-03-01T00:00:00Z is 20,513 days after 1970-01-01: 20,513 x 86,400 s.
MARCH_1_2026 = 1_772_323_200.0


def names(expectations) -> list[str]:
    return [e.meta["name"] for e in expectations]


def test_required_columns_are_expected_even_when_the_load_lacks_them():
    built = quality.build_expectations(CONTACTS, {"contact_id"})

    assert names(built) == ["column_exists:contact_id", "not_null:contact_id", "column_exists:created_at",
                            "not_null:created_at", "unique:contact_id"]


def test_value_sets_and_time_ranges_apply_to_the_optional_columns_present():
    built = quality.build_expectations(CONTACTS, {"contact_id", "created_at", "lifecycle", "score"})

    assert names(built)[-2:] == ["in_set:lifecycle", "plausible_time:created_at"]
    in_set = next(e for e in built if e.meta["name"] == "in_set:lifecycle")
    assert list(in_set.value_set) == ["lead", "mql"]  # compared lowercased, as landing compares them
    assert not [n for n in names(built) if n.endswith(":score")]  # numbers are landing's rule, not the suite's


def test_a_compound_key_is_unique_together_and_no_key_expects_nothing_unique():
    deals = TableSpec(name="t", group="t", entity="t", columns=("deal_id", "stage", "at"), key=("deal_id", "stage"))
    events = TableSpec(name="t", group="t", entity="t", columns=("a", "b"))

    assert names(quality.build_expectations(deals, {"deal_id", "stage"})) == ["unique:deal_id+stage"]
    assert quality.build_expectations(events, {"a", "b"}) == []


def test_the_suite_reads_only_its_columns_each_once():
    assert quality.columns_needed(CONTACTS) == ["contact_id", "created_at", "lifecycle"]


def test_the_frame_is_prepared_with_lowercased_value_sets_and_epoch_seconds():
    raw = pd.DataFrame({"lifecycle": ["Lead", "MQL", None],
                        "created_at": ["2026-03-01T00:00:00Z", "2026-03-01 01:00:00+01:00", "yesterday"]})

    frame = quality.prepare_frame(CONTACTS, raw)

    assert frame["lifecycle"].tolist()[:2] == ["lead", "mql"]
    assert frame["created_at"].tolist()[:2] == [MARCH_1_2026, MARCH_1_2026]
    assert math.isnan(frame["created_at"].tolist()[2])
    assert raw["lifecycle"].tolist()[0] == "Lead"  # the caller's frame is left as it was


def test_a_load_that_breaks_rules_fails_naming_each_broken_expectation():
    load = pd.DataFrame({"contact_id": ["C1", "C1", None],
                         "created_at": ["2026-03-01T00:00:00Z", "1980-01-01T00:00:00Z", "2026-03-02T00:00:00Z"],
                         "lifecycle": ["Lead", "SQL", "mql"]})

    result = quality.validate(CONTACTS, load)

    assert (result.success, result.rows, result.evaluated) == (False, 3, 7)
    assert sorted(f["name"] for f in result.failures) == [
        "in_set:lifecycle", "not_null:contact_id", "plausible_time:created_at", "unique:contact_id"]
    assert "lifecycle has values outside Lead, MQL (1 rows, e.g. ['sql'])" in result.describe()


def test_a_clean_load_passes_every_expectation_and_an_empty_one_runs_none():
    load = pd.DataFrame({"contact_id": ["C1", "C2"], "created_at": ["2026-03-01T00:00:00Z"] * 2,
                         "lifecycle": ["Lead", "mql"]})

    passed = quality.validate(CONTACTS, load)
    empty = quality.validate(CONTACTS, load.iloc[0:0])

    assert passed.describe() == "test_contacts: 7 expectations passed on 2 rows"
    assert (empty.success, empty.rows, empty.evaluated) == (True, 0, 0)
