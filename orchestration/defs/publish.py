"""Publish: the last step, reached only when every upstream check has passed."""


import datetime as dt

import dagster as dg

from orchestration.defs.ingest import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform import touchline_dbt_models
from orchestration.lib.publish import publish


@dg.asset(
    key=["published", "warehouse"],
    deps=[touchline_dbt_models],
    pool=WAREHOUSE_POOL,
    group_name="published",
    kinds={"duckdb"},
    description="The warehouse file BI tools read, swapped in atomically after the build passed.",
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    s = warehouse.settings()
    size = publish(s.build_db, s.warehouse)
    context.log.info(f"published {s.build_db} -> {s.warehouse} ({size:,} bytes)")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(s.warehouse)),
        "bytes": dg.MetadataValue.int(size),
        "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    })
