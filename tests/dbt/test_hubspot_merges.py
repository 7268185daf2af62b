"""HubSpot contact merges: the merged-away contact stays in raw but leaves the journey."""

from __future__ import annotations

import pytest

from conftest import build_world

NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")


def merged_world():
    base = {"created_at": "2024-03-01T09:00:00Z", "updated_at": "2024-03-02T09:00:00Z", "archived": "false",
            "property_lifecyclestage": "lead", "property_createdate": "2024-03-01T09:00:00Z"}
    return {"hubspot_contacts": [
        {**base, "id": "101", "property_email": "old@acme.example"},
        {**base, "id": "202", "property_email": "pat@acme.example", "property_hs_merged_object_ids": "101;303"},
    ]}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_world(tmp_path_factory, "hubspot_merges", merged_world(), extra_args=NO_UNIT_TESTS)


def test_a_contact_merged_into_another_is_flagged_deleted_and_left_out_of_the_journey(db, query_db):
    assert query_db(db, "select contact_id, is_deleted from intermediate.int_contacts_unioned order by 1") == [
        ("101", True), ("202", False)]
    assert query_db(db, "select count(*) from marts.journey_summary") == [(1,)]
