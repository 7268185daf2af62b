"""Shared test set-up: no telemetry, no shared Dagster instance, no user settings leaking in."""

import os

import pytest

from orchestration.settings import quiet_telemetry

quiet_telemetry()
# Runs in tests use an ephemeral Dagster instance, not the developer's .dagster_home.
os.environ.pop("DAGSTER_HOME", None)
for var in [v for v in os.environ if v.startswith(("TOUCHLINE_", "HUBSPOT_", "SALESFORCE_"))]:
    os.environ.pop(var)


@pytest.fixture
def touchline_env(monkeypatch, tmp_path):
    """Point every TOUCHLINE_* path at a fresh temporary folder; return a setter."""
    monkeypatch.setenv("TOUCHLINE_WAREHOUSE", str(tmp_path / "warehouse" / "touchline.duckdb"))
    monkeypatch.setenv("TOUCHLINE_DEMO_DIR", str(tmp_path / "demo_exports"))

    def set_(**kw):
        for k, v in kw.items():
            monkeypatch.setenv(f"TOUCHLINE_{k.upper()}", str(v))
    return set_
