"""The file source: "bring your own exports" (CONTRACT.md section 1).

A folder holds one file, or a folder of files, per table, found by name:
`crm/contacts.csv`, `crm/contacts/part-0001.parquet`, `web/events/2026-03-01.jsonl`.
CSV, Parquet and JSON Lines are read; every value becomes text with its origin
("crm/contacts.csv line 18") so the landing step can quarantine a bad row and say
exactly where it came from. A file already loaded (same bytes) is skipped, so
re-running the same load changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors._shared.landing import PARSE_ERROR, lit
from connectors._shared.spec import TableSpec

from .tables import FILE_TABLES

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class FileSourceError(RuntimeError):
    """The export folder cannot be read as a whole (missing folder, no tables)."""


@dataclass(frozen=True)
class SourceFile:
    table: TableSpec
    path: Path
    relative: str
    fmt: str

    def sha256(self) -> str:
        h = hashlib.sha256()
        with self.path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


def normalize_header(name: str) -> str:
    """`Contact ID` and `contact-id` both mean `contact_id`."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def discover(root: Path, specs: tuple[TableSpec, ...] = FILE_TABLES) -> dict[str, list[SourceFile]]:
    """Find the files of every known table under `root`, in a stable order.

    Raises FileSourceError when the folder is missing or holds none of the tables,
    naming the layout it expected.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileSourceError(f"files folder {root} does not exist: pass --files-dir DIR (see docs/file-layout.md)")
    found: dict[str, list[SourceFile]] = {}
    for s in specs:
        files: list[Path] = []
        for ext in FORMATS:
            single = root / s.group / f"{s.entity}{ext}"
            if single.is_file():
                files.append(single)
        folder = root / s.group / s.entity
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)
        if files:
            found[s.name] = [
                SourceFile(s, p, p.relative_to(root).as_posix(), FORMATS[p.suffix.lower()]) for p in files
            ]
    if not found:
        expected = ", ".join(f"{s.group}/{s.entity}.csv" for s in specs[:3])
        raise FileSourceError(
            f"no export files found under {root}: expected a layout such as {expected} "
            f"(CSV, Parquet or JSON Lines; see docs/file-layout.md)"
        )
    return found


def read(con: duckdb.DuckDBPyConnection, f: SourceFile) -> pa.Table:
    """Read one file as an all-text Arrow table with `_origin` (and `_parse_error`)."""
    if f.table.name == "web_events" and f.fmt == "jsonl":
        return _read_segment_jsonl(con, f)
    if f.table.name == "web_ga4_events" and f.fmt == "jsonl":
        return _read_ga4_jsonl(con, f)
    if f.fmt == "csv":
        return _read_csv(f)
    if f.fmt == "parquet":
        return _read_parquet(con, f)
    return _read_jsonl(f)


def _read_csv(f: SourceFile) -> pa.Table:
    with f.path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = [normalize_header(h) for h in next(reader)]
        except StopIteration:
            return pa.table({"_origin": pa.array([], pa.string())})
        columns: dict[str, list] = {h: [] for h in header}
        origins: list[str] = []
        errors: list[str | None] = []
        for values in reader:
            if not values or all(v == "" for v in values) and len(values) <= 1:
                continue
            origins.append(f"{f.relative} line {reader.line_num}")
            if len(values) != len(header):
                errors.append(
                    f"{len(values)} values where the header has {len(header)}: "
                    f"fix the quoting or the delimiter on that line"
                )
            else:
                errors.append(None)
            for i, h in enumerate(header):
                v = values[i] if i < len(values) else None
                columns[h].append(None if v == "" else v)
    data = {h: pa.array(v, pa.string()) for h, v in columns.items()}
    data["_origin"] = pa.array(origins, pa.string())
    data[PARSE_ERROR] = pa.array(errors, pa.string())
    return pa.table(data)


def _read_jsonl(f: SourceFile) -> pa.Table:
    rows: list[dict] = []
    with f.path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            origin = f"{f.relative} line {n}"
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
            except ValueError as e:
                rows.append({"_origin": origin, PARSE_ERROR: f"not a JSON object ({e}): fix or remove the line"})
                continue
            row = {normalize_header(k): (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in obj.items()}
            row["_origin"] = origin
            rows.append(row)
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    return pa.table({c: pa.array([None if r.get(c) is None else str(r.get(c)) for r in rows], pa.string()) for c in cols})


def _as_text(column: str, duck_type: str) -> str:
    """Text for one column: nested values (STRUCT, LIST, MAP) as JSON, others cast."""
    nested = duck_type.startswith(("STRUCT", "MAP")) or duck_type.endswith("[]")
    return f'cast(to_json("{column}") as varchar)' if nested else f'cast("{column}" as varchar)'


def _read_parquet(con: duckdb.DuckDBPyConnection, f: SourceFile) -> pa.Table:
    cols = con.execute(f"describe select * from read_parquet({lit(str(f.path))})").fetchall()
    select = ", ".join(f'{_as_text(c, t)} as "{normalize_header(c)}"' for c, t, *_ in cols)
    return con.execute(
        f"select {select}, {lit(f.relative + ' row ')} || row_number() over () as _origin "
        f"from read_parquet({lit(str(f.path))})"
    ).to_arrow_table()


def _json_lines(path: Path) -> str:
    """SQL for the lines of a JSON Lines file: line_no, ok (a JSON object), j (the object).

    DuckDB splits and parses; no Python loop touches a row. Blank lines are skipped
    but still counted, so line numbers match an editor's."""
    return f"""
        with lines as (
            select unnest(l) as line, generate_subscripts(l, 1) as line_no
            from (select string_split(content, chr(10)) as l from read_text({lit(str(path))}))
        ),
        parsed as (
            select line_no, json_valid(line) and json_type(case when json_valid(line) then line end) = 'OBJECT' as ok,
                line
            from lines where trim(line) <> ''
        ),
        j as (select line_no, ok, case when ok then line::json end as j from parsed)
    """


def _read_ga4_jsonl(con: duckdb.DuckDBPyConnection, f: SourceFile) -> pa.Table:
    """GA4 BigQuery export rows as JSON Lines (what `bq extract` or an export job writes)."""
    scalars = ("event_date", "event_timestamp", "event_name", "event_bundle_sequence_id",
               "user_pseudo_id", "user_id", "platform", "stream_id")
    nested = ("event_params", "user_properties", "traffic_source", "collected_traffic_source", "device", "geo")
    cols = [f"j->>{lit(c)} as {c}" for c in scalars] + [f"cast(j->{lit(c)} as varchar) as {c}" for c in nested]
    return con.execute(
        _json_lines(f.path) + f"""
        select {", ".join(cols)},
            {lit(f.relative + ' line ')} || line_no as _origin,
            case when not ok then 'not a JSON object: fix or remove the line' end as {PARSE_ERROR}
        from j order by line_no
        """
    ).to_arrow_table()


def _read_segment_jsonl(con: duckdb.DuckDBPyConnection, f: SourceFile) -> pa.Table:
    """Segment-spec JSON Lines, columnar: DuckDB splits and parses, no Python loop.

    Accepts both the API's camelCase keys (messageId) and the snake_case of
    Segment's warehouse exports (message_id).
    """
    def field(*names: str) -> str:
        return "coalesce(" + ", ".join(f"j->>{lit(n)}" for n in names) + ")"

    return con.execute(
        _json_lines(f.path) + f"""
        select
            {field('messageId', 'message_id')} as message_id,
            {field('type')} as type,
            {field('event')} as event,
            {field('anonymousId', 'anonymous_id')} as anonymous_id,
            {field('userId', 'user_id')} as user_id,
            {field('timestamp', 'originalTimestamp', 'original_timestamp')} as "timestamp",
            cast(coalesce(j->'traits', j->'context'->'traits') as varchar) as traits,
            cast(j->'context' as varchar) as context,
            cast(j->'properties' as varchar) as properties,
            {field('receivedAt', 'received_at')} as received_at,
            {field('sentAt', 'sent_at')} as sent_at,
            {lit(f.relative + ' line ')} || line_no as _origin,
            case when not ok then 'not a JSON object: fix or remove the line' end as {PARSE_ERROR}
        from j order by line_no
        """
    ).to_arrow_table()


def load(con: duckdb.DuckDBPyConnection, root: Path, *, load_id: str, source: str = "files",
         tables: set[str] | None = None) -> dict[str, list]:
    """Land every export file under `root` that has not been loaded before.

    Returns, per raw table, the LandResult of each file landed (an unchanged file
    is skipped and contributes nothing). `tables` limits the load to those names.
    """
    from connectors._shared.landing import land

    results: dict[str, list] = {}
    for name, files in discover(root).items():
        if tables is not None and name not in tables:
            continue
        fresh = []
        for f in files:
            digest = f.sha256()
            seen = con.execute(
                "select 1 from raw._touchline_files where table_name = ? and sha256 = ?", [name, digest]
            ).fetchone()
            if not seen:
                fresh.append((f, digest))
        if not fresh:
            continue
        # One landing per table, not per file: a year of daily event files is one
        # set-based merge instead of 365 small transactions.
        batch = pa.concat_tables([read(con, f) for f, _ in fresh], promote_options="permissive")
        spec_ = fresh[0][0].table
        origin = fresh[0][0].relative if len(fresh) == 1 else f"{spec_.group}/{spec_.entity} ({len(fresh)} files)"
        results[name] = [land(con, spec_, batch, load_id=load_id, source=f"{source}:{origin}")]
        for f, digest in fresh:
            con.execute(
                "insert or ignore into raw._touchline_files values (?, ?, ?, ?, ?, now())",
                [f.relative, name, digest, f.path.stat().st_size, load_id],
            )
    return results
