"""Every setting Touchline reads from the environment, in one place, with its default.

Secrets and paths come from the environment; business rules (MQL threshold, SLA,
stage and channel mappings) are dbt vars and seeds, not settings here. The README's
"Configuration" table lists the same names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SOURCES = ("demo", "files", "hubspot", "live")
DEMO_CRMS = ("hubspot", "salesforce")
# The custom fields a Salesforce org needs for lead score, MQL date, loss reason and
# region (standard objects have none); the demo org has them.
DEMO_SALESFORCE_EXTRA_FIELDS = ("Lead.Lead_Score__c,Lead.MQL_Date__c,Contact.Lead_Score__c,Contact.MQL_Date__c,"
                                "Opportunity.Loss_Reason__c,Account.Region__c")


class SettingsError(ValueError):
    """A setting has a value Touchline cannot use; the message names it and the fix."""


def _path(value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (Path.cwd() / p).resolve()


@dataclass(frozen=True)
class Settings:
    source: str
    files_dir: Path | None
    warehouse: Path
    build_db: Path
    demo_dir: Path
    demo_people: int
    demo_seed: int
    demo_crm: str
    schedule_cron: str
    schedule_timezone: str
    max_quarantine_share: float
    hubspot_cursor_lookback_minutes: int
    salesforce_cursor_lookback_minutes: int

    @property
    def hubspot_token(self) -> str | None:
        return os.environ.get("HUBSPOT_TOKEN") or None

    @property
    def salesforce_configured(self) -> bool:
        env = os.environ
        return bool(env.get("SALESFORCE_ACCESS_TOKEN") or env.get("SALESFORCE_REFRESH_TOKEN")
                    or (env.get("SALESFORCE_CLIENT_ID") and env.get("SALESFORCE_CLIENT_SECRET")))

    @property
    def reads_apis(self) -> bool:
        """Whether API connectors with credentials in the environment run."""
        return self.source in ("hubspot", "live")


def load() -> Settings:
    """Read the settings now (not at import: the CLI sets them before a run)."""
    env = os.environ
    source = env.get("TOUCHLINE_SOURCE", "demo").strip().lower()
    if source not in SOURCES:
        raise SettingsError(f"TOUCHLINE_SOURCE={source!r} is not one of {', '.join(SOURCES)}")
    warehouse = _path(env.get("TOUCHLINE_WAREHOUSE", "warehouse/touchline.duckdb"))
    build_db = _path(env["TOUCHLINE_BUILD_DB"]) if env.get("TOUCHLINE_BUILD_DB") else (
        warehouse.parent / "build" / warehouse.name)
    if build_db == warehouse:
        raise SettingsError("TOUCHLINE_BUILD_DB must differ from TOUCHLINE_WAREHOUSE: the build "
                            "writes one file and publishes the other")
    files_dir = env.get("TOUCHLINE_FILES_DIR")
    if source == "files" and not files_dir:
        raise SettingsError("TOUCHLINE_FILES_DIR is not set: point it at your exports folder "
                            "(or pass --files-dir DIR), or use --source demo")
    try:
        people = int(env.get("TOUCHLINE_DEMO_PEOPLE", "3000"))
        seed = int(env.get("TOUCHLINE_DEMO_SEED", "42"))
        share = float(env.get("TOUCHLINE_MAX_QUARANTINE_SHARE", "0.1"))
        lookback = int(env.get("HUBSPOT_CURSOR_LOOKBACK_MINUTES", "10"))
        sf_lookback = int(env.get("SALESFORCE_CURSOR_LOOKBACK_MINUTES", "10"))
    except ValueError as e:
        raise SettingsError(f"a numeric TOUCHLINE_* setting is not a number: {e}") from None
    demo_crm = env.get("TOUCHLINE_DEMO_CRM", "hubspot").strip().lower()
    if demo_crm not in DEMO_CRMS:
        raise SettingsError(f"TOUCHLINE_DEMO_CRM={demo_crm!r} is not one of {', '.join(DEMO_CRMS)}")
    return Settings(
        source=source,
        files_dir=_path(files_dir) if files_dir else None,
        warehouse=warehouse,
        build_db=build_db,
        demo_dir=_path(env.get("TOUCHLINE_DEMO_DIR", str(warehouse.parent / "demo_exports"))),
        demo_people=people,
        demo_seed=seed,
        demo_crm=demo_crm,
        schedule_cron=env.get("TOUCHLINE_SCHEDULE_CRON", "0 3 * * *"),
        schedule_timezone=env.get("TOUCHLINE_SCHEDULE_TIMEZONE", "UTC"),
        max_quarantine_share=share,
        hubspot_cursor_lookback_minutes=lookback,
        salesforce_cursor_lookback_minutes=sf_lookback,
    )


def quiet_telemetry() -> None:
    """Nothing may phone home from these machines (and no user asked us to)."""
    for k, v in {
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "false",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "TQDM_DISABLE": "1",
    }.items():
        os.environ.setdefault(k, v)
