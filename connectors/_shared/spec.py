"""What a raw table spec is: its key, required columns, value rules (TableSpec).

The specs themselves are in connectors._shared.tables (and, for connectors with many
tables, in their own package, e.g. connectors.salesforce.tables).

"""

from __future__ import annotations

from dataclasses import dataclass, field

TIMESTAMP = "timestamp"
NUMBER = "number"
INTEGER = "integer"
BOOLEAN = "boolean"
DATE = "date"

ACTIVITY_TYPES = ("call", "meeting", "email", "task", "note")
DIRECTIONS = ("inbound", "outbound")
WEB_EVENT_TYPES = ("page", "track", "identify", "screen", "group", "alias")


@dataclass(frozen=True)
class TableSpec:
    """One raw table: its key, the columns every load must carry, and value rules.

    `columns` lists the documented columns in order (the loader creates them even
    when a source omits an optional one, so dbt can always select them); `required`
    must be present and non-empty on every row; `types` maps a column to the kind of
    value it must parse as when present; `value_sets` lists the allowed values
    (compared case-insensitively); `key` is the merge key (empty: a row is
    identified by all of its values).
    """

    name: str
    group: str
    entity: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    types: dict[str, str] = field(default_factory=dict)
    value_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cursor: str | None = None
    description: str = ""


def _spec(group, entity, columns, **kw) -> TableSpec:
    return TableSpec(name=f"{group}_{entity}", group=group, entity=entity, columns=tuple(columns), **kw)


