"""Land a batch of rows in the raw schema: check row rules, quarantine, merge by key.

Every source ends here, so every source gets the same guarantees: rows that break a
row-level rule of their table (its TableSpec, connectors._shared.spec) are moved to
`quarantine.<table>` with the rule, the reason and where they came from; good rows
are merged into `raw.<table>` by key; rows identical to what raw already holds are
left alone, so re-running the same load changes nothing; the cursor of an
incremental stream is saved in the same transaction as the rows it covers.

All of it is set-based SQL over an Arrow batch: nothing here loops over rows.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import duckdb
import pyarrow as pa

from connectors._shared.spec import BOOLEAN, DATE, INTEGER, NUMBER, TIMESTAMP, TableSpec

META_COLUMNS = ("_load_id", "_loaded_at", "_row_hash")
PARSE_ERROR = "_parse_error"
QUARANTINE_META = ("_load_id", "_loaded_at", "_rule", "_reason", "_origin")
BOOLEAN_WORDS = ("true", "false", "t", "f", "1", "0", "yes", "no", "y", "n")
# Timestamps outside this window are typos (1900, 2206), not history.
EARLIEST_PLAUSIBLE = "1990-01-01"
FUTURE_TOLERANCE = "1 day"


@dataclass
class LandResult:
    """What one landing did to one table: counts a build summary can add up."""

    table: str
    load_id: str
    rows_in: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    duplicates_dropped: int = 0
    max_cursor: str | None = None

    @property
    def loaded(self) -> int:
        return self.inserted + self.updated

    def as_dict(self) -> dict:
        return {**asdict(self), "loaded": self.loaded}


def connect(path: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with the session settings every Touchline step relies on."""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("set TimeZone = 'UTC'")
    # DuckDB caches freely up to 80% of RAM; on a shared scheduler host, cap it
    # (it spills to disk beyond the cap instead of failing).
    if os.environ.get("TOUCHLINE_DUCKDB_MEMORY_LIMIT"):
        con.execute("set memory_limit = ?", [os.environ["TOUCHLINE_DUCKDB_MEMORY_LIMIT"]])
    return con


def new_load_id() -> str:
    """A sortable, unique load id: UTC time to the second plus a random suffix."""
    now = dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """Quote a string literal for DuckDB."""
    return "'" + value.replace("'", "''") + "'"


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, specs: Iterable[TableSpec]) -> None:
    """Create the raw and quarantine tables of `specs`, and the bookkeeping tables,
    where they do not exist yet.

    Every documented column exists from the start (as VARCHAR), so dbt can select
    it even when a source never sends it, and the marts build on a CRM-only export:
    the pipeline passes every table (connectors.registry.ALL_TABLES).
    """
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists quarantine")
    for s in specs:
        cols = ", ".join(f"{q(c)} varchar" for c in s.columns)
        con.execute(
            f"create table if not exists raw.{q(s.name)} ({cols}, _load_id varchar, "
            f"_loaded_at timestamptz, _row_hash varchar)"
        )
        con.execute(
            f"create table if not exists quarantine.{q(s.name)} (_load_id varchar, "
            f"_loaded_at timestamptz, _rule varchar, _reason varchar, _origin varchar, {cols}, "
            f"_row_hash varchar)"
        )
    con.execute(
        """
        create table if not exists raw._touchline_loads (
            load_id varchar, source varchar, table_name varchar, started_at timestamptz,
            finished_at timestamptz, rows_in bigint, inserted bigint, updated bigint,
            unchanged bigint, quarantined bigint, duplicates_dropped bigint, max_cursor varchar
        )
        """
    )
    con.execute(
        """
        create table if not exists raw._touchline_state (
            source varchar, stream varchar, cursor_value varchar, updated_at timestamptz,
            load_id varchar, primary key (source, stream)
        )
        """
    )
    con.execute(
        """
        create table if not exists raw._touchline_files (
            path varchar, table_name varchar, sha256 varchar, bytes bigint, load_id varchar,
            loaded_at timestamptz, primary key (table_name, sha256)
        )
        """
    )


def get_cursor(con: duckdb.DuckDBPyConnection, source: str, stream: str) -> str | None:
    """The saved cursor of an incremental stream, or None before its first load."""
    row = con.execute(
        "select cursor_value from raw._touchline_state where source = ? and stream = ?",
        [source, stream],
    ).fetchone()
    return row[0] if row else None


def set_cursor(con, source: str, stream: str, value: str | None, load_id: str) -> None:
    """Save a cursor (only forward: a smaller value never replaces a larger one)."""
    if value is None:
        return
    con.execute(
        """
        insert into raw._touchline_state values (?, ?, ?, now(), ?)
        on conflict (source, stream) do update set
            cursor_value = greatest(raw._touchline_state.cursor_value, excluded.cursor_value),
            updated_at = excluded.updated_at, load_id = excluded.load_id
        """,
        [source, stream, value, load_id],
    )


def _table_columns(con, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _evolve(con, schema: str, table: str, columns: list[str]) -> None:
    """Add columns a source started sending: new fields are kept, never fatal."""
    have = set(_table_columns(con, schema, table))
    for c in columns:
        if c not in have:
            con.execute(f"alter table {schema}.{q(table)} add column {q(c)} varchar")


def _rule_checks(s: TableSpec, present: set[str]) -> list[tuple[str, str]]:
    """SQL (rule, reason-expression) pairs; a reason is NULL when the row passes."""
    checks: list[tuple[str, str]] = []
    for c in s.required:
        if c not in present:
            checks.append(("missing_column", lit(
                f"required column {c} is missing from the source: add it (or rename the "
                f"column that holds it to {c})")))
        else:
            checks.append(("required", (
                f"case when nullif(trim({q(c)}), '') is null then "
                f"{lit(c + ' is empty: it is required for every row')} end")))
    for c, kind in s.types.items():
        if c not in present:
            continue
        v = f"nullif(trim({q(c)}), '')"
        shown = f"'{c} ''' || {q(c)} || ''' ' "
        if kind == TIMESTAMP:
            checks.append(("type", (
                f"case when {v} is not null and try_cast({v} as timestamptz) is null then "
                f"{shown}|| 'is not an ISO 8601 timestamp (e.g. 2026-03-01T12:00:00Z)' end")))
            checks.append(("timestamp_range", (
                f"case when try_cast({v} as timestamptz) < timestamptz '{EARLIEST_PLAUSIBLE}' "
                f"or try_cast({v} as timestamptz) > now() + interval '{FUTURE_TOLERANCE}' then "
                f"{shown}|| 'is implausible (before {EARLIEST_PLAUSIBLE} or in the future)' end")))
        elif kind == DATE:
            checks.append(("type", (
                f"case when {v} is not null and try_cast({v} as date) is null then "
                f"{shown}|| 'is not a date (YYYY-MM-DD)' end")))
        elif kind in (NUMBER, INTEGER):
            target = "double" if kind == NUMBER else "bigint"
            word = "a number" if kind == NUMBER else "a whole number"
            checks.append(("type", (
                f"case when {v} is not null and try_cast({v} as {target}) is null then "
                f"{shown}|| 'is not {word}' end")))
        elif kind == BOOLEAN:
            words = ", ".join(lit(w) for w in BOOLEAN_WORDS)
            checks.append(("type", (
                f"case when {v} is not null and lower({v}) not in ({words}) then "
                f"{shown}|| 'is not a boolean (true/false)' end")))
    for c, allowed in s.value_sets.items():
        if c not in present:
            continue
        v = f"nullif(trim({q(c)}), '')"
        values = ", ".join(lit(a.lower()) for a in allowed)
        checks.append(("value_set", (
            f"case when {v} is not null and lower({v}) not in ({values}) then "
            f"'{c} ''' || {q(c)} || ''' is not one of {', '.join(allowed)}' end")))
    return checks


def land(
    con: duckdb.DuckDBPyConnection,
    s: TableSpec,
    batch: pa.Table,
    *,
    load_id: str,
    source: str,
    cursor_stream: str | None = None,
) -> LandResult:
    """Validate `batch` against the rules of `s`, quarantine bad rows, merge good ones.

    `batch` may carry an `_origin` column (e.g. "crm/contacts.csv line 18") that the
    quarantine keeps so a person can find the record. Columns beyond the spec are
    kept (added to raw as VARCHAR). When `cursor_stream` is given, the largest
    `s.cursor` value landed is saved as that stream's cursor in the same transaction.
    Returns the counts; raises nothing for bad rows (they are data, not errors).
    """
    result = LandResult(table=s.name, load_id=load_id, rows_in=batch.num_rows)
    if batch.num_rows == 0:
        return result
    started = dt.datetime.now(dt.timezone.utc)
    special = ("_origin", PARSE_ERROR)
    incoming = [c for c in batch.column_names if c not in META_COLUMNS and c not in special]
    present = set(incoming)
    data_cols = list(s.columns) + [c for c in incoming if c not in s.columns]
    has_origin = "_origin" in batch.column_names
    has_parse_error = PARSE_ERROR in batch.column_names

    con.register("_landing_arrow", batch)
    try:
        con.execute("begin transaction")
        _evolve(con, "raw", s.name, data_cols)
        _evolve(con, "quarantine", s.name, data_cols)
        # Hash and insert over every column raw has, in its order: the row hash must
        # not depend on which columns (or in what order) this batch happened to carry.
        data_cols = [c for c in _table_columns(con, "raw", s.name) if c not in META_COLUMNS]
        select_cols = ", ".join(
            f"cast({q(c)} as varchar) as {q(c)}" if c in present else f"null::varchar as {q(c)}"
            for c in data_cols
        )
        origin = "_src_origin" if has_origin else f"{lit(source)} || ' row ' || _row_no"
        parse_error = f"cast({PARSE_ERROR} as varchar)" if has_parse_error else "null::varchar"
        con.execute(
            f"""
            create or replace temp table _landing as
            select * exclude (_src_origin), {origin} as _origin from (
                select {select_cols}, row_number() over () as _row_no,
                    {"cast(_origin as varchar)" if has_origin else "null::varchar"} as _src_origin,
                    {parse_error} as {PARSE_ERROR}
                from _landing_arrow
            )
            """
        )
        checks = _rule_checks(s, present)
        reasons = ", ".join(f"struct_pack(rule := {lit(r)}, reason := {e})" for r, e in checks)
        # No key: a row is identified by all of its values (append, deduplicated).
        key = s.key or tuple(data_cols)
        key_sql = ", ".join(q(k) for k in key)
        # name=value for the non-null columns only (concat_ws skips nulls): a column
        # added later, null on old rows, must not make those rows look changed.
        hash_sql = "md5(concat_ws(chr(31), " + ", ".join(
            f"{lit(c + '=')} || {q(c)}" for c in data_cols) + "))"
        cursor_sql = f"try_cast({q(s.cursor)} as timestamptz)" if s.cursor else "null::timestamptz"
        cursor_raw = q(s.cursor) if s.cursor else "null::varchar"
        # Only `_landing` holds whole rows. Everything else works on a narrow table of
        # row number, key, hash and verdict, and joins back by row number at the end:
        # one copy of a wide batch (web events carry JSON) instead of five.
        # A line that could not be parsed fails for that reason alone: its other
        # "violations" are only echoes of the parse error.
        con.execute(
            f"""
            create or replace temp table _landing_meta as
            select _row_no, _origin, {key_sql}, {hash_sql} as _row_hash,
                {cursor_sql} as _cursor_at, {cursor_raw} as _cursor_value,
                case
                    when {PARSE_ERROR} is not null then [struct_pack(rule := 'malformed', reason := {PARSE_ERROR})]
                    else list_filter([{reasons}], x -> x.reason is not null)
                end as _violations
            from _landing
            """
        )
        # Among good rows sharing a key: identical copies are redeliveries and are
        # dropped quietly; differing copies keep the latest, the others are quarantined.
        rank_window = f"partition by {key_sql} order by _cursor_at desc nulls last, _row_no desc"
        con.execute(
            f"""
            create or replace temp table _landing_ranked as
            select _row_no, _origin, {key_sql}, _row_hash, _cursor_at, _cursor_value,
                row_number() over w as _rank,
                first_value(_origin) over w as _kept_origin,
                first_value(_row_hash) over w as _kept_hash
            from _landing_meta where len(_violations) = 0
            window w as ({rank_window})
            """
        )
        result.duplicates_dropped = con.execute(
            "select count(*) from _landing_ranked where _rank > 1 and _row_hash = _kept_hash").fetchone()[0]
        key_desc = " || ', ' || ".join(f"{lit(k + '=')} || coalesce({q(k)}, 'NULL')" for k in key)
        con.execute(
            f"""
            create or replace temp table _landing_rejects as
            select _row_no, _violations[1].rule as _rule,
                array_to_string(list_transform(_violations, x -> x.reason), '; ') as _reason, _row_hash
            from _landing_meta where len(_violations) > 0
            union all
            select _row_no, 'duplicate_key',
                'key ' || {key_desc} || ' appears more than once in this load with different values; kept ' || _kept_origin,
                _row_hash
            from _landing_ranked where _rank > 1 and _row_hash <> _kept_hash
            """
        )
        result.quarantined = con.execute("select count(*) from _landing_rejects").fetchone()[0]
        qcols = ", ".join(q(c) for c in data_cols)
        lcols = ", ".join(f"l.{q(c)}" for c in data_cols)
        # A rejected row already in quarantine under the same rule stays there once.
        con.execute(
            f"""
            insert into quarantine.{q(s.name)} (_load_id, _loaded_at, _rule, _reason, _origin, {qcols}, _row_hash)
            select {lit(load_id)}, now(), r._rule, r._reason, l._origin, {lcols}, r._row_hash
            from _landing_rejects r
            inner join _landing l on l._row_no = r._row_no
            where not exists (
                select 1 from quarantine.{q(s.name)} x where x._row_hash = r._row_hash and x._rule = r._rule
            )
            """
        )
        join = " and ".join(f"t.{q(k)} is not distinct from g.{q(k)}" for k in key)
        con.execute(
            f"""
            create or replace temp table _landing_good as
            select g._row_no, g._row_hash, {", ".join(f"g.{q(k)}" for k in key)},
                (t._row_hash is not null) as _exists, coalesce(t._row_hash = g._row_hash, false) as _same
            from (select * from _landing_ranked where _rank = 1) g
            left join raw.{q(s.name)} t on {join}
            """
        )
        counts = con.execute(
            "select count(*) filter (where not _exists), count(*) filter (where _exists and not _same),"
            " count(*) filter (where _same) from _landing_good"
        ).fetchone()
        result.inserted, result.updated, result.unchanged = counts
        con.execute(
            f"""
            delete from raw.{q(s.name)} t using _landing_good g
            where g._exists and not g._same and {join}
            """
        )
        con.execute(
            f"""
            insert into raw.{q(s.name)} ({qcols}, _load_id, _loaded_at, _row_hash)
            select {lcols}, {lit(load_id)}, now(), g._row_hash
            from _landing_good g inner join _landing l on l._row_no = g._row_no
            where not g._same
            """
        )
        if s.cursor:
            result.max_cursor = con.execute(
                "select arg_max(_cursor_value, _cursor_at) from _landing_ranked").fetchone()[0]
        if cursor_stream:
            set_cursor(con, source, cursor_stream, result.max_cursor, load_id)
        con.execute(
            "insert into raw._touchline_loads values (?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?)",
            [load_id, source, s.name, started, result.rows_in, result.inserted, result.updated,
             result.unchanged, result.quarantined, result.duplicates_dropped, result.max_cursor],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_landing_arrow")
        for t in ("_landing", "_landing_meta", "_landing_ranked", "_landing_rejects", "_landing_good"):
            con.execute(f"drop table if exists {t}")
    return result


def rows_to_arrow(rows: list[dict], columns: list[str] | None = None) -> pa.Table:
    """Turn a list of flat dicts into an all-string Arrow table (None stays null)."""
    cols: list[str] = list(columns or [])
    seen = set(cols)
    for r in rows:
        for k in r:
            if k not in seen:
                seen.add(k)
                cols.append(k)
    data = {c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in cols}
    return pa.table({c: pa.array(v, type=pa.string()) for c, v in data.items()})
