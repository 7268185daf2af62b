"""Static checks of the dbt project: it says what the rest of Touchline relies on."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from connectors.registry import ALL_TABLES

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dbt_ga4_unit_fixtures"
CONTRACT_MARTS = ("customer_journey", "fct_touchpoints", "fct_stage_transitions", "journey_summary",
                  "fct_opportunities", "dim_people", "dim_accounts", "dim_owners", "dim_campaigns")
ACCOUNT_MARTS = ("account_journey", "account_summary")


def load_yml(pattern: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted(PROJECT.glob(pattern))]


def test_source_raw_lists_every_raw_table_with_its_columns():
    declared = {}
    for doc in load_yml("models/staging/*/_*__sources.yml"):
        for source in doc["sources"]:
            assert source["name"] == "raw" and source["schema"] == "raw"
            for table in source["tables"]:
                declared[table["name"]] = [c["name"] for c in table["columns"]]
    assert set(declared) == {t.name for t in ALL_TABLES}
    for t in ALL_TABLES:
        assert declared[t.name] == [*t.columns, "_load_id", "_loaded_at"], t.name


def test_every_contract_mart_is_enforced_and_documented_column_by_column():
    models = {m["name"]: m for doc in load_yml("models/marts/*/_*__models.yml") for m in doc["models"]}
    assert set(CONTRACT_MARTS + ACCOUNT_MARTS) <= set(models)
    for name in CONTRACT_MARTS + ACCOUNT_MARTS:
        model = models[name]
        assert model["config"]["contract"]["enforced"] is True, name
        assert model["description"].startswith("One row per"), name
        for column in model["columns"]:
            assert column.get("data_type") and column.get("description"), f"{name}.{column['name']}"


def test_the_ga4_source_category_seed_is_googles_list_unchanged():
    assert (PROJECT / "seeds" / "ga4_source_categories.csv").read_text() == \
        (FIXTURES / "ga4_source_categories.csv").read_text()
    assert "MIT" in (PROJECT / "seeds" / "LICENSE-NOTICE").read_text()


def test_the_channel_unit_test_uses_the_shipped_channel_rules():
    doc = yaml.safe_load((PROJECT / "models" / "intermediate" / "web" / "_web__models.yml").read_text())
    case = next(u for u in doc["unit_tests"] if u["name"] == "test_channels_follow_ga4_default_channel_grouping")
    given = next(g for g in case["given"] if g["input"] == "ref('channel_rules')")
    shipped = list(csv.reader(io.StringIO((PROJECT / "seeds" / "channel_rules.csv").read_text())))
    assert list(csv.reader(io.StringIO(given["rows"]))) == shipped


def test_the_project_ships_no_package_dependencies():
    # dbt deps cannot reach the hub on the build machines, and dagster-dbt runs it
    # whenever a packages file exists.
    assert not (PROJECT / "packages.yml").exists()
    assert not (PROJECT / "dependencies.yml").exists()


def test_the_click_id_parameters_and_their_seed_name_the_same_click_ids():
    # staging looks for var click_id_parameters; seed ad_click_ids says what each means.
    listed = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]["click_id_parameters"]
    with open(PROJECT / "seeds" / "ad_click_ids.csv") as f:
        seeded = [row["click_id"] for row in csv.DictReader(f)]
    assert sorted(listed) == sorted(seeded) and len(set(listed)) == len(listed)
    assert listed == [c.lower() for c in listed]
