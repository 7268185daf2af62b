"""The sync loop: read each stream of a source from its saved cursor, land the batches,
save the cursor once every page has landed.

This is the whole incremental contract, in one place, for every API source:

- the cursor of a stream is read from raw._touchline_state (where `cursor_key` says)
  and stepped back by the source's `cursor_lookback`;
- batches are buffered and landed `FLUSH_ROWS` rows at a time: each landing is one
  transaction, and a few large ones beat hundreds of page-sized ones;
- the cursor (the largest cursor value landed in the stream's first table) is saved
  only after the read is exhausted and everything landed, so a failure part-way
  re-reads from the old cursor next time and the merge by key absorbs the overlap;
- every landing is recorded under the load's name, '<source>:<stream>'.

No Dagster here: orchestration/defs/ingest.py wraps `sync` in assets and checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb

from connectors._shared.landing import LandResult, get_cursor, land, rows_to_arrow, set_cursor
from connectors._shared.source import Source

FLUSH_ROWS = 20_000
COUNTS = ("rows_in", "inserted", "updated", "unchanged", "quarantined", "duplicates_dropped")


@dataclass(frozen=True)
class StreamSync:
    """What syncing one stream did: the cursor it read from and the one it saved."""

    load: str
    since: str | None
    rows_in: int
    cursor: str | None


def load_name(source: Source | type[Source], stream: str) -> str:
    """What a load record and a quarantined row's origin call a load: the connector and
    its stream, e.g. 'hubspot:contacts', 'salesforce:Lead', 'google_ads:campaigns'."""
    return f"{source.name}:{stream}"


def looked_back(cursor: str | None, lookback: dt.timedelta) -> str | None:
    """The cursor stepped back by `lookback` (an ISO 8601 time; naive means UTC).

    HubSpot's search index lags recent edits: an object edited just before a run would
    otherwise be skipped for good. The merge absorbs what is read twice (those rows land
    as "unchanged").
    """
    if cursor is None or lookback <= dt.timedelta(0):
        return cursor
    at = dt.datetime.fromisoformat(cursor.replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    back = at.astimezone(dt.timezone.utc) - lookback
    return back.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def merged(results: Iterable[LandResult], table: str, load_id: str) -> LandResult:
    """The landings of one table in one load, added up; the largest cursor kept."""
    total = LandResult(table=table, load_id=load_id)
    for r in results:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(r, name))
        if r.max_cursor and (total.max_cursor is None or r.max_cursor > total.max_cursor):
            total.max_cursor = r.max_cursor
    return total


def land_stream(con: duckdb.DuckDBPyConnection, source: Source, stream: str, since: str | None, load_id: str,
                *, flush_rows: int = FLUSH_ROWS) -> dict[str, list[LandResult]]:
    """Read `stream` of `source` after `since` and land it; return each table's landings.

    A batch may only carry the tables the stream declares (`tables_by_stream`).
    """
    specs = {s.name: s for s in source.tables_by_stream[stream]}
    name = load_name(source, stream)
    buffers: dict[str, list[dict]] = {table: [] for table in specs}
    landed: dict[str, list[LandResult]] = {table: [] for table in specs}

    def flush(table: str) -> None:
        rows, s = buffers[table], specs[table]
        if rows:
            landed[table].append(land(con, s, rows_to_arrow(rows, list(s.columns)), load_id=load_id, source=name))
            buffers[table] = []

    for batch in source.read(stream, since):
        for table, rows in batch.items():
            if table not in specs:
                raise ValueError(f"{name} yielded rows for {table!r}, not one of its tables "
                                 f"({', '.join(specs)}): declare it in tables_by_stream")
            buffers[table].extend(rows)
            if len(buffers[table]) >= flush_rows:
                flush(table)
    for table in specs:
        flush(table)
    return landed


def sync_stream(con: duckdb.DuckDBPyConnection, source: Source, stream: str, load_id: str,
                *, flush_rows: int = FLUSH_ROWS) -> tuple[StreamSync, dict[str, list[LandResult]]]:
    """Read one stream from its saved cursor, land it, then save its new cursor."""
    key = source.cursor_key(stream)
    since = looked_back(get_cursor(con, *key), source.cursor_lookback)
    landed = land_stream(con, source, stream, since, load_id, flush_rows=flush_rows)
    primary_table = source.tables_by_stream[stream][0].name
    primary = merged(landed[primary_table], primary_table, load_id)
    set_cursor(con, *key, primary.max_cursor, load_id)
    return StreamSync(load_name(source, stream), since, primary.rows_in, primary.max_cursor), landed


def sync(con: duckdb.DuckDBPyConnection, sources: Iterable[Source], load_id: str,
         log: Callable[[str], None] = lambda line: None, *,
         flush_rows: int = FLUSH_ROWS) -> dict[str, list[LandResult]]:
    """Sync every stream of every source, in order; return the landings per raw table.

    A table several sources fill (the ad platforms' performance table) gets one entry
    per landing; `merged` adds them up. An error stops the loop: streams synced before
    it keep their new cursors, the failing one keeps its old cursor.
    """
    results: dict[str, list[LandResult]] = {}
    for source in sources:
        for stream in source.streams:
            done, landed = sync_stream(con, source, stream, load_id, flush_rows=flush_rows)
            for table, landings in landed.items():
                results.setdefault(table, []).extend(landings)
            log(f"{done.load}: since={done.since} rows={done.rows_in} cursor={done.cursor}")
    return results
