"""Static checks of the attribution, alignment and semantic-layer files (no dbt run)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
MART_FOLDERS = ("models/marts/attribution", "models/marts/alignment", "models/semantic")
NEW_MARTS = {"fct_attribution_credit", "fct_attribution_paths", "fct_channel_performance_daily", "fct_lead_handoff",
             "fct_stage_conversions", "fct_funnel_periods", "fct_pipeline_deals", "fct_pipeline_sourcing",
             "fct_win_loss", "fct_journey_share", "fct_renewal_watchlist", "dim_dates",
             "fct_account_stage_conversions", "fct_account_funnel_periods"}
SINGULAR_TESTS = {"assert_attribution_credits_sum_to_one", "assert_channel_pipeline_matches_total_pipeline",
                  "assert_dropped_leads_are_never_responded", "assert_pipeline_sourcing_adds_up_to_pipeline",
                  "assert_reporting_currency_has_a_rate", "assert_ad_spend_currencies_have_rates"}


def models_in(folder: str) -> dict[str, dict]:
    out = {}
    for path in sorted((PROJECT / folder).glob("_*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            out[model["name"]] = model
    return out


def test_every_new_mart_is_enforced_and_documented_column_by_column():
    marts = {name: m for folder in MART_FOLDERS for name, m in models_in(folder).items()}
    assert set(marts) == NEW_MARTS
    for name, model in marts.items():
        assert (PROJECT / next(f for f in MART_FOLDERS if name in models_in(f)) / f"{name}.sql").exists(), name
        assert model["config"]["contract"]["enforced"] is True, name
        assert model["description"].startswith("One row per"), name
        for column in model["columns"]:
            assert column.get("data_type") and column.get("description"), f"{name}.{column['name']}"


def test_every_building_block_is_described_with_its_grain():
    for folder in ("models/intermediate/attribution", "models/intermediate/alignment"):
        described = models_in(folder)
        files = {p.stem for p in (PROJECT / folder).iterdir() if p.suffix in (".sql", ".py")}
        assert files == set(described), folder
        for name, model in described.items():
            assert name.startswith("int_") and model["description"].startswith("One row per"), name


def test_every_var_the_new_models_read_has_a_documented_default():
    declared = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    paths = [*(PROJECT / "models/marts/attribution").rglob("*.sql"), *(PROJECT / "models/marts/alignment").rglob("*.sql"),
             *(PROJECT / "models/intermediate/attribution").rglob("*.sql"),
             *(PROJECT / "models/intermediate/alignment").rglob("*.sql"),
             PROJECT / "macros" / "attribution.sql", *(PROJECT / "tests").glob("assert_*.sql")]
    used = set()
    for path in paths:
        if path.parent.name != "tests" or path.stem in SINGULAR_TESTS:
            used |= set(re.findall(r"var\(\s*['\"](\w+)['\"]", path.read_text()))
    assert {"attribution_lookback_days", "attribution_half_life_days", "lead_response_sla_hours",
            "dropped_lead_days", "renewal_term_months"} <= used
    assert used - set(declared) == set()
    readme = (PROJECT / "README.md").read_text()
    for name in used:
        assert f"`{name}`" in readme, f"var {name} is not in the README's rules table"


def test_metrics_are_built_on_declared_measures_and_metrics():
    semantic = yaml.safe_load((PROJECT / "models/semantic/_semantic__semantic_models.yml").read_text())
    metrics = yaml.safe_load((PROJECT / "models/semantic/_semantic__metrics.yml").read_text())["metrics"]
    measures = {m["name"] for sm in semantic["semantic_models"] for m in sm["measures"]}
    models = {sm["model"] for sm in semantic["semantic_models"]}
    assert models == {"ref('fct_lead_handoff')", "ref('fct_stage_conversions')", "ref('fct_pipeline_deals')",
                      "ref('fct_channel_performance_daily')"}
    names = {m["name"] for m in metrics}
    for metric in metrics:
        params = metric["type_params"]
        if metric["type"] == "simple":
            assert params["measure"] in measures, metric["name"]
        elif metric["type"] == "ratio":
            for side in ("numerator", "denominator"):
                ref = params[side]
                assert (ref if isinstance(ref, str) else ref["name"]) in names, metric["name"]
    # The headline metrics the issue names.
    assert {"mql_to_sql_conversion_rate", "lead_response_hours_median", "lead_response_hours_average", "cac", "roas",
            "win_rate", "pipeline_amount"} <= names


def test_the_seeds_of_the_new_marts_are_declared_with_types():
    doc = yaml.safe_load((PROJECT / "seeds" / "_alignment_seeds.yml").read_text())
    declared = {s["name"]: s for s in doc["seeds"]}
    assert set(declared) == {"currency_rates", "business_hours", "business_holidays", "account_segments",
                             "lead_response_bands"}
    for name, seed in declared.items():
        header = (PROJECT / "seeds" / f"{name}.csv").read_text().splitlines()[0].split(",")
        assert header == list(seed["config"]["column_types"]), name
        assert [c["name"] for c in seed["columns"]] == header, name
