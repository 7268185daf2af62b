"""Write a demo `World` as the file source of CONTRACT.md section 1.

CRM and ads tables become CSV files (crm/<entity>.csv, ads/<entity>.csv) with a header
row, ISO 8601 UTC timestamps ending in 'Z', YYYY-MM-DD dates, 'true'/'false' booleans
and empty cells for unknown values. Web events become Segment JSON Lines, one file per
UTC day (web/events/YYYY-MM-DD.jsonl), with millisecond 'Z' timestamps.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

from connectors.demo.world import COLUMNS, World

_DAILY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl$")


def write_files(world: World, out_dir: Path, *, crm: bool = True, ads: bool = True,
                web: bool = True) -> dict[str, Path]:
    """Write the chosen groups of `world` under `out_dir`; return the paths by raw table name.

    CSV files are overwritten. For web events the returned path is the events folder;
    daily files already there that this world has no events for are removed, so the
    folder never mixes two worlds.
    """
    out_dir = Path(out_dir)
    wanted = {"crm": crm, "ads": ads, "web": web}
    written: dict[str, Path] = {}
    for name, rows in world.tables.items():
        group, entity = name.split("_", 1)
        if not wanted.get(group, False):
            continue
        if group == "web":
            written[name] = _write_events(rows, out_dir / "web" / entity)
        else:
            path = out_dir / group / f"{entity}.csv"
            _write_csv(path, COLUMNS[name], rows)
            written[name] = path
    return written


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)


def _cell(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime):
        return _iso(value, "seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _iso(value: datetime, timespec: str) -> str:
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def _json_default(value):
    if isinstance(value, datetime):
        return _iso(value, "milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"web event value {value!r} of type {type(value).__name__} is not JSON serializable")


def _write_events(events: list[dict], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    by_day: dict[str, list[str]] = {}
    dumps = json.JSONEncoder(default=_json_default, separators=(",", ":"), ensure_ascii=False).encode
    for event in events:
        day = event["timestamp"].astimezone(UTC).date().isoformat()
        by_day.setdefault(day, []).append(dumps(event))
    for stale in folder.iterdir():
        if _DAILY_FILE.match(stale.name) and stale.name[:10] not in by_day:
            stale.unlink()
    for day, lines in by_day.items():
        (folder / f"{day}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
