"""Extraction assets: land each source in `raw`, gate each load with quality checks.

One multi-asset per step of connectors.registry (the file source, and each group of
API sources), one asset per raw table (keyed ["raw", table], the key dbt's
`source('raw', table)` maps to, so lineage needs no extra code). Every asset carries
two blocking checks that run on the load it just made: `raw_quality_check` (the
table's great-expectations suite) and `quarantine_share_check` (how many rows were
set aside). A failing blocking check stops dbt and the publish step, so a bad load
never reaches the published marts.

What a source reads and how its cursor moves is the connectors' business
(connectors._shared.sync); this module decides which sources run (the demo's, or
those the environment configures) and reports what they landed.
"""


import os

import dagster as dg

from connectors._shared.landing import LandResult, ensure_raw_tables
from connectors._shared.source import Source
from connectors._shared.spec import TableSpec
from connectors._shared.sync import merged, sync
from connectors.registry import ALL_TABLES, API_GROUPS, FILE_TABLES, SourceGroup
from orchestration import settings as settings_mod
from orchestration.defs.resources import DemoWorldResource, WarehouseResource
from orchestration.lib import quality

QUALITY_CHECK = "raw_quality_check"
QUARANTINE_CHECK = "quarantine_share_check"
WAREHOUSE_POOL = "warehouse"


def raw_key(s: TableSpec) -> dg.AssetKey:
    return dg.AssetKey(["raw", s.name])


def _asset_specs(specs: tuple[TableSpec, ...], system: str) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            raw_key(s), group_name="raw", kinds={"duckdb"}, description=s.description,
            metadata={"merge_key": ", ".join(s.key), "source_system": system},
            tags={"layer": "raw"},
        )
        for s in specs
    ]


def _check_specs(specs: tuple[TableSpec, ...]) -> list[dg.AssetCheckSpec]:
    out = []
    for s in specs:
        out.append(dg.AssetCheckSpec(QUALITY_CHECK, asset=raw_key(s), blocking=True,
                                     description="The table's great-expectations suite on this load's rows."))
        out.append(dg.AssetCheckSpec(QUARANTINE_CHECK, asset=raw_key(s), blocking=True,
                                     description="Rows set aside in quarantine stay under TOUCHLINE_MAX_QUARANTINE_SHARE."))
    return out


def report(con, specs, results: dict[str, list[LandResult]], load_id: str, max_share: float,
           note: str | None = None):
    """Materializations and check results for every table of a source, for one load."""
    for s in specs:
        r = merged(results.get(s.name, []), s.name, load_id)
        total_rows = con.execute(f'select count(*) from raw."{s.name}"').fetchone()[0]
        meta = {**{k: dg.MetadataValue.int(v) for k, v in r.as_dict().items() if isinstance(v, int)},
                "load_id": load_id, "rows_in_table": dg.MetadataValue.int(total_rows)}
        if note:
            meta["note"] = note
        yield dg.MaterializeResult(asset_key=raw_key(s), metadata=meta)

        present = {c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?",
            [s.name]).fetchall()}
        cols = ", ".join(f'"{c}"' for c in quality.columns_needed(s) if c in present)
        df = con.execute(f'select {cols} from raw."{s.name}" where _load_id = ?', [load_id]).df()
        suite = quality.validate(s, df)
        yield dg.AssetCheckResult(
            asset_key=raw_key(s), check_name=QUALITY_CHECK, passed=suite.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=suite.describe(),
            metadata={"rows_validated": suite.rows, "expectations": suite.evaluated,
                      "failed": [f["name"] for f in suite.failures]},
        )

        share = (r.quarantined / r.rows_in) if r.rows_in else 0.0
        reasons = con.execute(
            f'select _rule, any_value(_reason), any_value(_origin), count(*) from quarantine."{s.name}" '
            f"where _load_id = ? group by _rule order by count(*) desc limit 5", [load_id]
        ).fetchall()
        summary = "; ".join(f"{n} x {rule} (e.g. {origin}: {reason})" for rule, reason, origin, n in reasons)
        over = share > max_share
        yield dg.AssetCheckResult(
            asset_key=raw_key(s), check_name=QUARANTINE_CHECK, passed=r.quarantined == 0,
            severity=dg.AssetCheckSeverity.ERROR if over else dg.AssetCheckSeverity.WARN,
            description=(
                f"{r.quarantined} of {r.rows_in} rows set aside in quarantine.{s.name}"
                + (f" ({share:.0%}, above the {max_share:.0%} limit: the load is blocked)" if over else "")
                + (f": {summary}" if summary else "")
            ),
            metadata={"quarantined": r.quarantined, "rows_in": r.rows_in, "share": float(round(share, 4)),
                      "limit": max_share},
        )


@dg.multi_asset(
    name="files_raw",
    specs=_asset_specs(FILE_TABLES, "files"),
    check_specs=_check_specs(FILE_TABLES),
    pool=WAREHOUSE_POOL,
    description="Land the file exports (CRM, ads, web) in raw, quarantining bad rows.",
)
def files_raw(context: dg.AssetExecutionContext, warehouse: WarehouseResource, demo: DemoWorldResource):
    from connectors import files

    s = warehouse.settings()
    root = demo.files_dir if s.source == "demo" else s.files_dir
    load_id = context.run.run_id
    with warehouse.connect() as con:
        ensure_raw_tables(con, ALL_TABLES)
        note = None
        results: dict = {}
        if root is None:
            note = "no files folder configured for this source: tables kept as they were"
        else:
            results = files.load(con, root, load_id=load_id)
            context.log.info(f"landed files from {root}: {sum(len(v) for v in results.values())} new files")
        yield from report(con, FILE_TABLES, results, load_id, s.max_quarantine_share, note)


def configured_sources(group: SourceGroup, s: settings_mod.Settings, demo: DemoWorldResource) -> list[Source]:
    """The sources of `group` to run: the demo's, or those the environment configures.

    With --source live (or hubspot) a source runs when its main credential is set; the
    source named by --source runs whatever is set, so a missing credential fails the
    step naming it.
    """
    if demo.active:
        return [source for source in demo.sources() if isinstance(source, group.sources)]
    if not s.reads_apis:
        return []
    env = os.environ
    return [cls.from_env(env) for cls in group.sources if cls.is_configured(env) or s.source == cls.name]


def api_group_asset(group: SourceGroup) -> dg.AssetsDefinition:
    """One multi-asset per group of API sources: sync every stream of every source
    configured (connectors._shared.sync), then report and gate each table."""
    tables = group.tables

    @dg.multi_asset(
        name=f"{group.name}_raw",
        specs=_asset_specs(tables, group.name),
        check_specs=_check_specs(tables),
        pool=WAREHOUSE_POOL,
        description=group.description,
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource, demo: DemoWorldResource):
        s = warehouse.settings()
        load_id = context.run.run_id
        with warehouse.connect() as con:
            ensure_raw_tables(con, ALL_TABLES)
            sources = configured_sources(group, s, demo)
            if not sources:
                yield from report(con, tables, {}, load_id, s.max_quarantine_share,
                                  f"{group.not_configured}: tables kept as they were")
                return
            results = sync(con, sources, load_id, log=context.log.info)
            yield from report(con, tables, results, load_id, s.max_quarantine_share)

    return _asset


api_raw_assets = [api_group_asset(group) for group in API_GROUPS]
