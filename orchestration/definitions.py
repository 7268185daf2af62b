"""The one entry point of the Touchline code location (workspace.yaml loads it).

Nothing heavy runs at import: no warehouse is opened, no data is read.
"""

import dagster as dg

from orchestration.settings import quiet_telemetry

quiet_telemetry()

from orchestration.defs.automation import nightly_job, nightly_schedule  # noqa: E402
from orchestration.defs.ingest import api_raw_assets, files_raw  # noqa: E402
from orchestration.defs.publish import published_warehouse  # noqa: E402
from orchestration.defs.resources import resources  # noqa: E402
from orchestration.defs.transform import touchline_dbt_models  # noqa: E402

defs = dg.Definitions(
    assets=[files_raw, *api_raw_assets, touchline_dbt_models, published_warehouse],
    jobs=[nightly_job],
    schedules=[nightly_schedule()],
    resources=resources(),
)
