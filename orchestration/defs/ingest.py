"""Extraction assets: land each source in `raw`, gate each load with quality checks.

One multi-asset per source system, one asset per raw table (keyed ["raw", table], the
key dbt's `source('raw', table)` maps to, so lineage needs no extra code). Every
asset carries two blocking checks that run on the load it just made:
`raw_quality_check` (the table's great-expectations suite) and
`quarantine_share_check` (how many rows were set aside). A failing blocking check
stops dbt and the publish step, so a bad load never reaches the published marts.
"""


import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg

from connectors._shared.landing import LandResult, ensure_raw_tables, get_cursor, land, rows_to_arrow, set_cursor
from connectors._ads_shared.tables import ADS_API_TABLES
from connectors._shared.spec import TableSpec
from connectors.files.tables import FILE_TABLES
from connectors.hubspot.tables import HUBSPOT_TABLES
from connectors.registry import ALL_TABLES, spec
from connectors.salesforce.tables import SALESFORCE_TABLES
from orchestration import settings as settings_mod
from orchestration.defs.resources import DemoWorldResource, WarehouseResource
from orchestration.lib import quality

QUALITY_CHECK = "raw_quality_check"
QUARANTINE_CHECK = "quarantine_share_check"
WAREHOUSE_POOL = "warehouse"
HUBSPOT_FLUSH_ROWS = 20_000


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


def _merge(results: list[LandResult], table: str, load_id: str) -> LandResult:
    total = LandResult(table=table, load_id=load_id)
    for r in results:
        for f in ("rows_in", "inserted", "updated", "unchanged", "quarantined", "duplicates_dropped"):
            setattr(total, f, getattr(total, f) + getattr(r, f))
        if r.max_cursor and (total.max_cursor is None or r.max_cursor > total.max_cursor):
            total.max_cursor = r.max_cursor
    return total


def report(con, specs, results: dict[str, list[LandResult]], load_id: str, max_share: float,
           note: str | None = None):
    """Materializations and check results for every table of a source, for one load."""
    for s in specs:
        r = _merge(results.get(s.name, []), s.name, load_id)
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


@dataclass(frozen=True)
class ApiSource:
    """API connectors as the pipeline sees them: their raw tables, the clients to run
    this time (keyed by a cursor prefix; none: not configured, the tables are kept as
    they were), and how far to step saved cursors back before reading. Each client's
    module names its objects (or streams) and the raw tables each one yields."""

    name: str
    specs: tuple[TableSpec, ...]
    description: str
    clients: Callable[[settings_mod.Settings, DemoWorldResource], dict[str, object]]
    not_configured: str
    cursor_lookback_minutes: Callable[[settings_mod.Settings], int] = lambda s: 0
    objects_attr: str = "OBJECTS"
    tables_attr: str = "TABLES_BY_OBJECT"


def api_source_asset(src: ApiSource) -> dg.AssetsDefinition:
    """One multi-asset per API source: read each object from its cursor, land it,
    save the cursor only after every page landed, then report and gate each table."""

    @dg.multi_asset(
        name=f"{src.name}_raw",
        specs=_asset_specs(src.specs, src.name),
        check_specs=_check_specs(src.specs),
        pool=WAREHOUSE_POOL,
        description=src.description,
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource, demo: DemoWorldResource):
        s = warehouse.settings()
        load_id = context.run.run_id
        with warehouse.connect() as con:
            ensure_raw_tables(con, ALL_TABLES)
            clients = src.clients(s, demo)
            if not clients:
                yield from report(con, src.specs, {}, load_id, s.max_quarantine_share,
                                  f"{src.not_configured}: tables kept as they were")
                return
            results: dict[str, list[LandResult]] = {}
            for prefix, client in clients.items():
                connector = importlib.import_module(type(client).__module__)
                for obj in getattr(connector, src.objects_attr):
                    tables = getattr(connector, src.tables_attr)[obj]
                    stream = f"{prefix}{obj}"
                    since = _looked_back(get_cursor(con, src.name, stream), src.cursor_lookback_minutes(s))
                    landed = load_object(con, client, obj, since, tables, load_id, results,
                                         source=load_source(src.name, prefix, obj))
                    primary = _merge(landed, tables[0], load_id)
                    set_cursor(con, src.name, stream, primary.max_cursor, load_id)
                    context.log.info(f"{src.name} {stream}: since={since} rows={primary.rows_in} "
                                     f"cursor={primary.max_cursor}")
            yield from report(con, src.specs, results, load_id, s.max_quarantine_share)

    return _asset


def _hubspot_clients(s: settings_mod.Settings, demo: DemoWorldResource) -> dict:
    from connectors.hubspot import HubSpotSource

    if demo.active:
        return {"": HubSpotSource(base_url=demo.url("hubspot"), token=demo.token)} if demo.url("hubspot") else {}
    if s.source == "hubspot" or (s.reads_apis and s.hubspot_token):
        return {"": HubSpotSource()}  # HUBSPOT_BASE_URL / HUBSPOT_TOKEN from the environment
    return {}


def _salesforce_clients(s: settings_mod.Settings, demo: DemoWorldResource) -> dict:
    from connectors.salesforce import SalesforceSource
    from connectors.salesforce.settings import extra_fields

    if demo.active:
        if not demo.url("salesforce"):
            return {}
        return {"": SalesforceSource(instance_url=demo.url("salesforce"), access_token=demo.token,
                                     extra_fields=extra_fields(settings_mod.DEMO_SALESFORCE_EXTRA_FIELDS))}
    if s.reads_apis and s.salesforce_configured:
        return {"": SalesforceSource()}  # SALESFORCE_* from the environment
    return {}


def _ads_clients(s: settings_mod.Settings, demo: DemoWorldResource) -> dict:
    """One client per ad platform that is configured (or served by the demo)."""
    from connectors.google_ads import GoogleAdsSource
    from connectors.linkedin_ads import LinkedInAdsSource
    from connectors.meta_ads import MetaAdsSource

    if demo.active:
        return {f"{platform}:": client for platform, client in demo.ads_clients().items()}
    if not s.reads_apis:
        return {}
    env = os.environ
    clients: dict = {}
    if env.get("GOOGLE_ADS_DEVELOPER_TOKEN"):
        clients["google_ads:"] = GoogleAdsSource()
    if env.get("META_ACCESS_TOKEN"):
        clients["meta_ads:"] = MetaAdsSource()
    if env.get("LINKEDIN_ACCESS_TOKEN"):
        clients["linkedin_ads:"] = LinkedInAdsSource()
    return clients


API_SOURCES = (
    ApiSource(
        name="hubspot", specs=HUBSPOT_TABLES, clients=_hubspot_clients,
        description="Land HubSpot CRM v3 objects in raw, incrementally by last-modified cursor.",
        not_configured="HubSpot not configured (set HUBSPOT_TOKEN and use --source live)",
        cursor_lookback_minutes=lambda s: s.hubspot_cursor_lookback_minutes,
    ),
    ApiSource(
        name="salesforce", specs=SALESFORCE_TABLES, clients=_salesforce_clients,
        description="Land Salesforce objects in raw (queryAll, incremental on SystemModstamp).",
        not_configured="Salesforce not configured (set SALESFORCE_* and use --source live)",
        cursor_lookback_minutes=lambda s: s.salesforce_cursor_lookback_minutes,
    ),
    # The ad platforms re-read their own look-back window of days (platforms restate
    # recent numbers), so their cursors are not stepped back here.
    ApiSource(
        name="ads_api", specs=ADS_API_TABLES, clients=_ads_clients,
        description="Land Google Ads, Meta and LinkedIn campaigns and daily performance in one column set.",
        not_configured="No ad platform configured (GOOGLE_ADS_*, META_*, LINKEDIN_* and --source live)",
        objects_attr="STREAMS", tables_attr="TABLES_BY_STREAM",
    ),
)
api_raw_assets = [api_source_asset(src) for src in API_SOURCES]


def _looked_back(cursor: str | None, minutes: int) -> str | None:
    """Step the cursor back a few minutes: HubSpot's search index lags recent edits,
    and an object edited just before a run would otherwise be skipped for good. The
    merge absorbs what is read twice (those rows land as "unchanged")."""
    if cursor is None or minutes <= 0:
        return cursor
    import datetime as dt

    at = dt.datetime.fromisoformat(cursor.replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    back = at.astimezone(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    return back.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def load_source(source: str, prefix: str, obj: str) -> str:
    """What a load record and a quarantined row's origin call the load: the connector
    and its stream, e.g. 'hubspot:contacts', 'salesforce:Lead', 'google_ads:campaigns'
    (an ad platform's client is keyed by its platform, 'google_ads:')."""
    return f"{prefix.rstrip(':') or source}:{obj}"


def load_object(con, client, obj: str, since: str | None, tables: tuple[str, ...], load_id: str,
                results: dict[str, list[LandResult]], source: str) -> list[LandResult]:
    """Read one object type (or stream) of an API source and land it in batches; return
    the primary table's results. `source` names the connector and stream in the load
    records and quarantine origins (load_source).

    Pages are buffered and landed HUBSPOT_FLUSH_ROWS at a time: each landing is one
    transaction, and a few large ones beat hundreds of page-sized ones. The cursor is
    saved by the caller only after every page landed, so a failure part-way re-reads
    from the old cursor and the merge absorbs the overlap.
    """
    buffers: dict[str, list[dict]] = {t: [] for t in tables}

    def flush(table: str):
        rows = buffers[table]
        if rows:
            s = spec(table)
            results.setdefault(table, []).append(
                land(con, s, rows_to_arrow(rows, list(s.columns)), load_id=load_id, source=source))
            buffers[table] = []

    for batch in client.read(obj, since):
        for table, rows in batch.items():
            buffers.setdefault(table, []).extend(rows)
            if len(buffers[table]) >= HUBSPOT_FLUSH_ROWS:
                flush(table)
    for table in list(buffers):
        flush(table)
    return results.get(tables[0], [])
