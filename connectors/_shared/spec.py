"""What a raw table spec is: its key, required columns, value rules (TableSpec).

Every raw column is stored as text (VARCHAR): the sources disagree about types, so
typing happens once, in dbt staging, after the rules have set aside every value that
would not parse. Each table also carries `_load_id`, `_loaded_at` and `_row_hash`,
stamped by the loader.

The specs themselves live with the source that lands them (`connectors/files/tables.py`,
`connectors/hubspot/tables.py`, ...); `connectors/registry.py` lists them all. One
spec drives the landing rules (quarantine), the great-expectations suite, the dbt
source and, for files, docs/file-layout.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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

    def accepting(self, other: TableSpec) -> TableSpec:
        """The spec of a table that `other`'s source fills too: each value set accepts
        the values of both (a column only one of them restricts is not restricted).
        The ad platforms share their tables, and each accepts only its own `platform`."""
        if replace(other, value_sets=self.value_sets) != self:
            raise ValueError(f"two specs of raw table {self.name} differ in more than their value sets")
        sets = {column: tuple(dict.fromkeys((*values, *other.value_sets[column])))
                for column, values in self.value_sets.items() if column in other.value_sets}
        return replace(self, value_sets=sets)


def raw_table(group: str, entity: str, columns, **kw) -> TableSpec:
    """The spec of raw table `<group>_<entity>` (e.g. crm_contacts, hubspot_deals)."""
    return TableSpec(name=f"{group}_{entity}", group=group, entity=entity, columns=tuple(columns), **kw)


