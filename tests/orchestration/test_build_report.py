"""The build report (orchestration/cli.py): the summary a build prints and the step
times, on a tiny warehouse made here. No Dagster run, no dbt.

The world, by hand. People (marts.journey_summary), with the stages they reached:
  p1 visitor known lead mql              (now mql)
  p2 visitor                              (now visitor)
  p3         known lead                   (now lead)
  p4 visitor known lead mql sql opportunity customer (now customer)
Reached: visitor 3 (p1 p2 p4), known 3 (p1 p3 p4), lead 3, mql 2 (p1 p4), sql 1,
opportunity 1, customer 1. Each share is of those in the stage above who reached it:
known 2 of 3 visitors (p1 p4) = 66.7%; lead 3 of 3 known = 100.0%; mql 2 of 3 leads
= 66.7%; sql 1 of 2 MQLs = 50.0%; opportunity 1 of 1 = 100.0%; customer 1 of 1.

Accounts (marts.account_summary):
  a1 known lead mql                       (now mql)
  a2 known lead mql opportunity           (now opportunity; no sql)
Nobody reached visitor, sql or customer, so the account funnel leaves them out and
opportunity's share is of the line above it (mql): 1 of 2 = 50.0%.

Quarantine (raw._touchline_loads): run r1 set aside 1 + 1 crm_contacts rows and 0
web_events rows; an earlier run r0 set aside 5 crm_deals rows.
"""

from __future__ import annotations

import duckdb
import pytest

from orchestration.cli import STAGES, step_seconds, summary

PEOPLE = {  # person: (stages reached, current stage)
    "p1": (("visitor", "known", "lead", "mql"), "mql"),
    "p2": (("visitor",), "visitor"),
    "p3": (("known", "lead"), "lead"),
    "p4": (STAGES, "customer"),
}
ACCOUNTS = {
    "a1": (("known", "lead", "mql"), "mql"),
    "a2": (("known", "lead", "mql", "opportunity"), "opportunity"),
}


def summary_table(con, table: str, rows: dict) -> None:
    cols = ", ".join(f"{s}_at timestamp" for s in STAGES)
    con.execute(f"create table {table} (id varchar, {cols}, current_stage varchar)")
    for key, (reached, current) in rows.items():
        values = ["2026-03-01" if s in reached else None for s in STAGES]
        con.execute(f"insert into {table} values (?, {', '.join('?' for _ in STAGES)}, ?)", [key, *values, current])


def rows(con, table: str, n: int) -> None:
    con.execute(f"create table {table} as select range as id from range({n})")


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "touchline.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create schema raw")
    rows(con, "marts.dim_people", 4)
    rows(con, "marts.fct_touchpoints", 7)
    rows(con, "marts.customer_journey", 9)
    rows(con, "marts.account_journey", 5)
    summary_table(con, "marts.journey_summary", PEOPLE)
    summary_table(con, "marts.account_summary", ACCOUNTS)
    con.execute("create table raw._touchline_loads (load_id varchar, table_name varchar, quarantined bigint)")
    con.execute("insert into raw._touchline_loads values ('r1', 'crm_contacts', 1), ('r1', 'crm_contacts', 1), "
                "('r1', 'web_events', 0), ('r0', 'crm_deals', 5)")
    con.close()
    return path


def test_the_summary_counts_the_funnel_the_current_stages_and_this_runs_quarantine(warehouse):
    assert summary(warehouse, "r1").splitlines() == [
        f"Warehouse: {warehouse}  (schemas raw, staging, intermediate, marts, quarantine)",
        "People: 4   touchpoints: 7   journey events: 9",
        "Funnel: people who reached each stage, and of those in the stage above, the share who reached it",
        "  visitor            3",
        "  known              3   66.7%",
        "  lead               3  100.0%",
        "  mql                2   66.7%",
        "  sql                1   50.0%",
        "  opportunity        1  100.0%",
        "  customer           1  100.0%",
        "People by current stage: customer=1, lead=1, mql=1, visitor=1",
        "Accounts: 2   account journey events: 5",
        "Account funnel: accounts that reached each stage (visitor: first touch), and of those in the line above, "
        "the share who reached it",
        "  known              2",
        "  lead               2  100.0%",
        "  mql                2  100.0%",
        "  opportunity        1   50.0%",
        "Accounts by current stage: mql=1, opportunity=1",
        "Set aside in quarantine this run: 2 rows (quarantine.crm_contacts=2)",
    ]


def test_without_a_run_the_quarantine_line_counts_every_load(warehouse):
    assert summary(warehouse).splitlines()[-1] == (
        "Set aside in quarantine this run: 7 rows (quarantine.crm_contacts=2, quarantine.crm_deals=5)")


def test_an_export_without_contacts_reports_an_account_based_journey_and_no_people_funnel(warehouse):
    con = duckdb.connect(str(warehouse))
    con.execute("delete from marts.dim_people")
    con.close()

    lines = summary(warehouse, "r0").splitlines()

    assert lines[1:3] == ["People: 0 (the CRM export has no contacts: the journey is account-based, "
                          "see marts.account_journey)", "Touchpoints: 7"]
    assert not [line for line in lines if line.startswith(("Funnel:", "People by current stage"))]
    assert lines[3] == "Accounts: 2   account journey events: 5"
    assert lines[-1] == "Set aside in quarantine this run: 5 rows (quarantine.crm_deals=5)"


def test_a_warehouse_published_before_the_account_marts_has_no_account_lines(warehouse):
    con = duckdb.connect(str(warehouse))
    con.execute("drop table marts.account_summary")
    con.close()

    lines = summary(warehouse, "r1").splitlines()

    assert lines[-2] == "People by current stage: customer=1, lead=1, mql=1, visitor=1"
    assert not [line for line in lines if line.startswith(("Accounts", "Account funnel"))]


def test_a_clean_run_says_nothing_was_set_aside(warehouse):
    assert summary(warehouse, "no-such-run").splitlines()[-1] == "Set aside in quarantine this run: 0 rows"


def test_there_is_no_summary_before_the_first_build(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    assert summary(missing) == f"No published warehouse at {missing} yet: run `touchline build` first."


def test_step_seconds_run_from_each_steps_start_to_its_success():
    events = [
        (None, "RUN_START", 0.0),
        ("files_raw", "STEP_START", 10.0),
        ("hubspot_raw", "STEP_START", 10.5),
        ("files_raw", "STEP_OUTPUT", 11.0),
        ("files_raw", "STEP_SUCCESS", 14.254),
        ("hubspot_raw", "STEP_FAILURE", 20.0),     # failed: no time reported
        ("touchline_dbt_models", "STEP_START", 15.0),
        ("touchline_dbt_models", "STEP_SUCCESS", 49.0),
    ]

    assert step_seconds(events) == {"files_raw": 4.25, "touchline_dbt_models": 34.0}
