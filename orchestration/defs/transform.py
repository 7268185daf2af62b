"""The dbt models as Dagster assets; dbt tests surface as asset checks."""


import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import touchline_dbt_project
from orchestration.defs.ingest import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource


class TouchlineTranslator(DagsterDbtTranslator):
    """Models are keyed [schema, name] (["marts", "customer_journey"]) and grouped by
    layer; sources keep dagster-dbt's [source, table] (["raw", "crm_contacts"]),
    which is exactly the key of the extraction asset that lands them."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dbt_resource_props["schema"]
        return super().get_group_name(dbt_resource_props)


@dbt_assets(
    manifest=touchline_dbt_project.manifest_path,
    project=touchline_dbt_project,
    dagster_dbt_translator=TouchlineTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool=WAREHOUSE_POOL,
)
def touchline_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """`dbt build` on the build file: seeds, models and their tests, in dependency order."""
    # dbt's profile reads TOUCHLINE_BUILD_DB; dagster-dbt copies os.environ when it
    # starts dbt. Set it for that moment only, so the next run in this process reads
    # its own settings, not this run's path.
    previous = os.environ.get("TOUCHLINE_BUILD_DB")
    os.environ["TOUCHLINE_BUILD_DB"] = str(warehouse.settings().build_db)
    try:
        invocation = dbt.cli(["build"], context=context)
    finally:
        if previous is None:
            os.environ.pop("TOUCHLINE_BUILD_DB", None)
        else:
            os.environ["TOUCHLINE_BUILD_DB"] = previous
    yield from invocation.stream()
