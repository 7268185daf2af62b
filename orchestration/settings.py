"""Every setting the pipeline itself reads from the environment, with its default.

Each connector reads its own (credentials, page sizes, cursor look-backs) in its
settings.py, with the same parser (connectors._shared.settings). Business rules (MQL
threshold, SLA, stage and channel mappings) are dbt vars and seeds, not settings
here. .env.example lists every name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from connectors._shared.settings import Env, SettingsError
from connectors.demo.systems import CRMS as DEMO_CRMS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SOURCES = ("demo", "files", "hubspot", "live")


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

    @property
    def reads_apis(self) -> bool:
        """Whether API connectors with credentials in the environment run."""
        return self.source in ("hubspot", "live")


def load() -> Settings:
    """Read the settings now (not at import: the CLI sets them before a run)."""
    env = Env()
    source = env.choice("TOUCHLINE_SOURCE", "demo", SOURCES)
    warehouse = _path(env.text("TOUCHLINE_WAREHOUSE", "warehouse/touchline.duckdb"))
    build_db = _path(env.text("TOUCHLINE_BUILD_DB")) if env.has("TOUCHLINE_BUILD_DB") else (
        warehouse.parent / "build" / warehouse.name)
    if build_db == warehouse:
        raise SettingsError("TOUCHLINE_BUILD_DB must differ from TOUCHLINE_WAREHOUSE: the build "
                            "writes one file and publishes the other")
    files_dir = env.text("TOUCHLINE_FILES_DIR")
    if source == "files" and not files_dir:
        raise SettingsError("TOUCHLINE_FILES_DIR is not set: point it at your exports folder "
                            "(or pass --files-dir DIR), or use --source demo")
    return Settings(
        source=source,
        files_dir=_path(files_dir) if files_dir else None,
        warehouse=warehouse,
        build_db=build_db,
        demo_dir=_path(env.text("TOUCHLINE_DEMO_DIR", str(warehouse.parent / "demo_exports"))),
        demo_people=env.number("TOUCHLINE_DEMO_PEOPLE", 3000),
        demo_seed=env.number("TOUCHLINE_DEMO_SEED", 42),
        demo_crm=env.choice("TOUCHLINE_DEMO_CRM", "hubspot", DEMO_CRMS),
        schedule_cron=env.text("TOUCHLINE_SCHEDULE_CRON", "0 3 * * *"),
        schedule_timezone=env.text("TOUCHLINE_SCHEDULE_TIMEZONE", "UTC"),
        max_quarantine_share=env.number("TOUCHLINE_MAX_QUARANTINE_SHARE", 0.1, float),
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
