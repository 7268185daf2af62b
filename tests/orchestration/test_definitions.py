"""The Dagster definitions: lineage from raw to marts, pools, schedule."""

import dagster as dg

from connectors.registry import ALL_TABLES
from orchestration.defs import automation
from orchestration.definitions import defs


def test_every_raw_table_is_an_asset_that_dbt_reads_as_a_source():
    graph = defs.resolve_asset_graph()
    raw_keys = {dg.AssetKey(["raw", t.name]) for t in ALL_TABLES}
    assert raw_keys <= set(graph.get_all_asset_keys())
    readers = {child for key in raw_keys for child in graph.get(key).child_keys}
    assert dg.AssetKey(["staging", "stg_crm__contacts"]) in readers
    assert dg.AssetKey(["staging", "stg_hubspot__contacts"]) in readers


def test_the_published_warehouse_comes_after_every_mart():
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey(["published", "warehouse"])
    parents = graph.get(published).parent_keys
    assert dg.AssetKey(["marts", "customer_journey"]) in parents
    assert dg.AssetKey(["marts", "journey_summary"]) in parents


def test_every_step_that_writes_the_warehouse_runs_in_the_warehouse_pool():
    job = defs.resolve_job_def("nightly_job")
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}
    assert pools and set(pools.values()) == {"warehouse"}, pools


def test_the_nightly_schedule_takes_cron_and_timezone_from_the_environment(monkeypatch):
    monkeypatch.setenv("TOUCHLINE_SCHEDULE_CRON", "30 1 * * 1-5")
    monkeypatch.setenv("TOUCHLINE_SCHEDULE_TIMEZONE", "Europe/Berlin")
    s = automation.nightly_schedule()
    assert (s.cron_schedule, s.execution_timezone, s.job_name) == ("30 1 * * 1-5", "Europe/Berlin", "nightly_job")
    assert defs.resolve_schedule_def("nightly_schedule").job_name == "nightly_job"
