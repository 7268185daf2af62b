"""The marts build, and tell the journey they can, when only one source has data.

Every raw table exists (possibly empty) on every install, so a company that
only loads its CRM export, or only connects HubSpot, still gets every mart.
"""

from __future__ import annotations

import hashlib

import pytest

import raw_world
from conftest import build_world

# Unit tests do not depend on data: the main world's build runs them.
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def crm_db(tmp_path_factory):
    return build_world(tmp_path_factory, "crm_only", raw_world.crm_rows(), extra_args=NO_UNIT_TESTS)


@pytest.fixture(scope="module")
def hubspot_db(tmp_path_factory):
    return build_world(tmp_path_factory, "hubspot_only", raw_world.hubspot_rows(), extra_args=NO_UNIT_TESTS)


def test_a_crm_only_world_builds_every_mart_with_the_touchpoints_it_has(crm_db, query_db):
    counts = dict(query_db(crm_db, """
        select 'customer_journey', count(*) from marts.customer_journey
        union all select 'fct_touchpoints', count(*) from marts.fct_touchpoints
        union all select 'web touches', count(*) from marts.fct_touchpoints where source_system = 'web'
        union all select 'journey_summary', count(*) from marts.journey_summary
        union all select 'dim_campaigns', count(*) from marts.dim_campaigns
        union all select 'visitors', count(*) from marts.fct_stage_transitions where stage = 'visitor'
    """))
    assert counts == {"customer_journey": 27, "fct_touchpoints": 9, "web touches": 0, "journey_summary": 4,
                      "dim_campaigns": 1, "visitors": 0}


def test_without_web_data_the_journey_starts_at_the_crm(crm_db, query_db):
    alice = md5("contact:crm:C1")
    assert query_db(crm_db, "select stage, touch_type from marts.customer_journey where person_id = ? "
                    "order by event_seq", [alice]) == [
        ("known", None), ("lead", None), ("mql", None), ("mql", "email"), ("mql", "call"), ("sql", None),
        ("sql", "meeting"), ("opportunity", None), ("opportunity", "email"), ("customer", None)]
    assert query_db(crm_db, "select lead_response_hours, first_touch_channel from marts.journey_summary "
                    "where person_id = ?", [alice]) == [(3.5, "sales_email")]


def test_without_web_data_a_marketing_lead_source_still_sources_the_deal(crm_db, query_db):
    assert query_db(crm_db, "select opportunity_id, sourced_by, sourced_by_reason from marts.fct_opportunities "
                    "order by 1") == [
        ("D1", "marketing", "lead source is a marketing channel"),
        ("D2", "sales", "no marketing touch before the deal and no marketing lead source")]


def test_a_hubspot_only_world_speaks_canonical_stages_and_channels(hubspot_db, query_db):
    ivy, jack = md5("contact:hubspot:601"), md5("contact:hubspot:602")
    assert query_db(hubspot_db, "select stage, touch_type, channel from marts.customer_journey "
                    "where person_id = ? order by event_seq", [ivy]) == [
        ("known", None, None), ("lead", None, None), ("mql", None, None),
        ("mql", "email", "sales_email"), ("mql", "call", "outbound_call"), ("mql", "meeting", "meeting"),
        ("sql", None, None), ("sql", "note", "note"), ("opportunity", None, None), ("customer", None, None)]
    # Jack joined the account after its first deal: a new lead, then his own deal.
    assert query_db(hubspot_db, "select stage from marts.customer_journey where person_id = ? "
                    "and event_kind = 'stage_change' order by event_seq", [jack]) == [
        ("known",), ("lead",), ("opportunity",)]
    assert query_db(hubspot_db, "select person_id, lead_response_hours, lead_source_channel, current_stage "
                    "from marts.journey_summary order by email") == [
        (ivy, 2.0, "organic_search", "customer"), (jack, None, "offline", "opportunity")]


def test_hubspot_engagements_and_deals_are_conformed(hubspot_db, query_db):
    assert query_db(hubspot_db, "select activity_id, activity_type, direction, channel, is_sales_touch, is_deleted "
                    "from intermediate.int_activities_unioned order by activity_id") == [
        ("801", "call", "outbound", "outbound_call", True, False),
        ("802", "email", "inbound", "sales_email", False, False),
        ("803", "meeting", None, "meeting", True, False),
        ("804", "note", None, "note", False, False),
        ("805", "task", None, "task", False, False),
        ("806", "email", "outbound", "sales_email", True, True),
    ]
    # An open deal's closedate is only the expected one.
    rows = query_db(hubspot_db, "select opportunity_id, is_closed, closed_at is null, expected_close_at is null, "
                    "canonical_stage, currency_code from marts.fct_opportunities order by 1")
    assert rows == [("701", True, False, True, "customer", "USD"), ("702", False, True, False, "opportunity", None)]
    assert query_db(hubspot_db, "select count(*) from marts.fct_touchpoints where touchpoint_id in "
                    "(select touchpoint_id from intermediate.int_touchpoints_unioned where is_deleted)") == [(0,)]


def test_a_hubspot_company_gets_an_account_journey_from_its_contacts_deals_and_engagements(hubspot_db, query_db):
    # Initrode: Ivy's stages (known and lead 04-01 10:00, MQL 04-02, SQL 04-03 10:00), her
    # engagements, deal 701 (created 04-04 09:00, won 04-20 12:00) and its stage history;
    # Jack's task. Jack's own stages and his open deal 702 move nothing: the company is
    # already further along.
    assert query_db(hubspot_db, "select event_kind, stage, coalesce(touch_type, deal_stage, evidence) "
                    "from marts.account_journey where account_id = '501' order by event_seq") == [
        ("stage_change", "known", "person"), ("stage_change", "lead", "person"), ("stage_change", "mql", "person"),
        ("touchpoint", "mql", "email"), ("touchpoint", "mql", "call"), ("touchpoint", "mql", "meeting"),
        ("stage_change", "sql", "person"), ("touchpoint", "sql", "note"),
        ("stage_change", "opportunity", "deal"), ("deal_stage", "opportunity", "appointmentscheduled"),
        ("touchpoint", "opportunity", "task"),
        ("stage_change", "customer", "deal"), ("deal_stage", "customer", "closedwon")]
    # Open 702 (3,000 in the default currency, USD), won 701 (USD 9,000); the archived
    # contact is not counted; call and meeting are the sales touches.
    assert query_db(hubspot_db, "select current_stage, people_count, people_engaged, touchpoints, sales_touches, "
                    "open_pipeline_amount, won_amount from marts.account_summary") == [
        ("customer", 2, 2, 5, 2, 3000, 9000)]
