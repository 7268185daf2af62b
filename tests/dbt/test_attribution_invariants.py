"""Invariants of the attribution and alignment marts on a demo-sized world.

The demo generator's file export (about 400 CRM contacts and as many anonymous
visitors, a year of web events, ads and deals in USD, EUR and GBP) is landed with the
file source and built with `dbt build`. Nothing here is hand-computed: these are the
properties that must hold for any data.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import raw_world
from connectors import files
from connectors._shared.landing import connect, ensure_raw_tables
from connectors.demo.files import write_files
from connectors.demo.world import generate
from connectors.registry import ALL_TABLES

PEOPLE = 400
MODELS = 9


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    work = tmp_path_factory.mktemp("attribution_demo")
    write_files(generate(people=PEOPLE, seed=7), work / "export")
    path = work / "touchline.duckdb"
    con = connect(str(path))
    try:
        ensure_raw_tables(con, ALL_TABLES)
        files.load(con, work / "export", load_id="invariants")
    finally:
        con.close()
    result, seconds = raw_world.run_dbt(path, work, "build", "--exclude-resource-type", "unit_test")
    assert result.success, "dbt build failed:\n" + "\n".join(raw_world.failures(result))
    print(f"dbt build on a {PEOPLE}-person demo: {seconds:.1f} s")
    return path


@pytest.fixture(scope="module")
def q(db, query_db):
    return lambda sql, params=None: query_db(db, sql, params)


def test_the_demo_has_conversions_of_every_type_and_deals_in_several_currencies(q):
    counts = dict(q("select conversion_type, count(distinct conversion_id) from marts.fct_attribution_credit group by 1"))
    assert set(counts) == {"lead", "mql", "sql", "opportunity", "closed_won"}
    assert all(n > 0 for n in counts.values()), counts
    assert q("select count(distinct currency_code) from marts.fct_pipeline_deals")[0][0] >= 2


def test_credits_add_up_to_exactly_one_per_conversion_and_model(q):
    assert q("""
        select conversion_id, attribution_model, sum(credit)
        from marts.fct_attribution_credit
        group by 1, 2
        having sum(credit) <> 1
    """) == []
    # ... and every conversion is there under every model.
    assert q("""
        select count(*) from intermediate.int_attribution_conversions as conversions
        where (select count(distinct attribution_model) from marts.fct_attribution_credit as credits
               where credits.conversion_id = conversions.conversion_id) <> ?
    """, [MODELS]) == [(0,)]


def test_every_conversion_of_the_journey_is_credited(q):
    expected = dict(q("""
        select stage, count(*) from marts.fct_stage_transitions where stage in ('lead', 'mql', 'sql') group by 1
        union all
        select 'opportunity', count(*) from marts.fct_opportunities where created_at is not null
        union all
        select 'closed_won', count(*) from marts.fct_opportunities where is_won and closed_at is not null
    """))
    got = dict(q("select conversion_type, count(distinct conversion_id) from marts.fct_attribution_credit group by 1"))
    assert got == expected


def test_pipeline_and_revenue_per_channel_add_up_to_the_totals_under_every_model(q):
    total_pipeline, total_revenue = q("""
        select sum(pipeline_amount) filter (where created_at is not null),
               sum(won_amount) filter (where is_won and closed_at is not null)
        from marts.fct_pipeline_deals
    """)[0]
    assert total_pipeline > 0 and total_revenue > 0
    by_model = q("""
        select attribution_model, sum(pipeline_amount), sum(won_revenue)
        from marts.fct_channel_performance_daily group by 1
    """)
    assert len(by_model) == MODELS
    for model, pipeline, revenue in by_model:
        assert (pipeline, revenue) == (total_pipeline, total_revenue), model
    # Channel by channel, the credits table and the daily table agree.
    assert q("""
        with credits as (
            select attribution_model, channel, coalesce(sum(pipeline_credit), 0) as pipeline
            from marts.fct_attribution_credit group by 1, 2
        ),
        daily as (
            select attribution_model, channel, sum(pipeline_amount) as pipeline
            from marts.fct_channel_performance_daily group by 1, 2
        )
        select * from credits full outer join daily using (attribution_model, channel)
        where credits.pipeline is distinct from daily.pipeline and coalesce(credits.pipeline, daily.pipeline) <> 0
    """) == []


def test_spend_is_converted_to_the_reporting_currency_and_not_multiplied_by_models(q):
    # Ad spend in EUR converts at 1.08; per model, the daily table holds every ad day once.
    raw_usd = q("""
        select sum(spend * case currency_code when 'EUR' then 1.08 when 'GBP' then 1.27 else 1 end)
        from staging.stg_ads__ad_performance_daily
    """)[0][0]
    per_model = q("select attribution_model, sum(spend) from marts.fct_channel_performance_daily group by 1")
    assert len(per_model) == MODELS
    for model, spend in per_model:
        assert abs(float(spend) - float(raw_usd)) < 0.01 * MODELS, model


def test_a_dropped_lead_is_never_also_responded_and_always_breached(q):
    assert q("""
        select count(*) from marts.fct_lead_handoff
        where is_dropped and (is_responded or not is_sla_breached or response_hours is not null)
    """) == [(0,)]
    dropped, = q("select count(*) from marts.fct_lead_handoff where is_dropped")[0]
    assert dropped > 0
    # A response is always inside the window; a dropped lead had none inside it.
    assert q("""
        select count(*) from marts.fct_lead_handoff
        where first_sales_touch_at < mql_at or first_sales_touch_at >= response_window_end_at
           or (is_dropped and sales_touch_after_drop_at < response_window_end_at)
    """) == [(0,)]


def test_every_mql_entry_has_exactly_one_hand_off(q):
    assert q("select count(*) from marts.customer_journey where event_kind = 'stage_change' and stage = 'mql'") == \
        q("select count(*) from marts.fct_lead_handoff")


def test_business_hours_never_exceed_calendar_hours(q):
    assert q("""
        select count(*) from marts.fct_lead_handoff
        where response_business_hours > response_hours + 0.01 or response_business_hours < 0
    """) == [(0,)]


def test_markov_weights_add_up_to_one_per_conversion_type(q):
    for conversion_type, total in q("""
        select conversion_type, sum(channel_weight)
        from intermediate.int_attribution_markov_channel_weights group by 1
    """):
        assert abs(total - 1) < 1e-9, conversion_type


def test_sourcing_buckets_are_exclusive_and_add_up_to_all_pipeline(q):
    total, = q("select sum(pipeline_amount) from marts.fct_pipeline_deals where created_at is not null")[0]
    for period_type, pipeline in q("select period_type, sum(pipeline_amount) from marts.fct_pipeline_sourcing "
                                   "group by 1"):
        assert pipeline == total, period_type


def test_funnel_periods_count_every_first_stage_entry_once_per_period_type(q):
    assert q("""
        select period_type, stage, sum(people_entered) from marts.fct_funnel_periods group by 1, 2
        except
        select period_type, stage, count(*) from marts.fct_stage_transitions
        cross join (values ('week'), ('month')) as periods(period_type)
        group by 1, 2
    """) == []


def test_win_loss_overall_matches_the_deals(q):
    closed, won = q("select count(*) filter (where is_closed), count(*) filter (where is_won) "
                    "from marts.fct_pipeline_deals")[0]
    assert q("select closed_deals, won_deals from marts.fct_win_loss "
             "where period_type = 'all_time' and breakdown = 'overall'") == [(closed, won)]
    for breakdown, deals in q("select breakdown, sum(closed_deals) from marts.fct_win_loss "
                              "where period_type = 'all_time' group by 1"):
        assert deals == closed, breakdown


def test_journey_shares_are_proportions(q):
    assert q("""
        select count(*) from marts.fct_journey_share
        where share_of_touches_before_sales not between 0 and 1
           or share_of_days_before_sales not between 0 and 1
           or touches_before_sales > touches
    """) == [(0,)]
    assert q("select count(*) from marts.fct_journey_share")[0][0] == \
        q("select count(*) from marts.fct_pipeline_deals where is_won and closed_at is not null")[0][0]


def test_the_watch_list_holds_only_renewals_inside_the_horizon(q):
    assert q("""
        select count(*) from marts.fct_renewal_watchlist
        where renewal_at <= as_of_at or renewal_at > as_of_at + interval 90 days
           or won_amount <> (select won_amount from marts.fct_pipeline_deals d
                             where d.deal_key = fct_renewal_watchlist.deal_key)
    """) == [(0,)]
    assert isinstance(q("select coalesce(sum(won_amount), 0) from marts.fct_renewal_watchlist")[0][0], Decimal)
