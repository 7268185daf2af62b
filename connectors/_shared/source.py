"""The contract every API source implements: what it reads, into which raw tables, how
it is configured, and where its cursors are kept.

A source only reads: `read(stream, since)` yields batches and writes nothing. The
sync loop (connectors._shared.sync) reads each stream from its saved cursor, lands
the batches, and saves the cursor once every page has landed. The pipeline learns
which sources exist from connectors/registry.py, and asks each one whether the
environment configures it: nothing outside a source's own package knows its tables,
streams or settings.

The file source is not one of these: its unit is a file, not a page of an API, and
what it has read is the set of files already loaded (connectors/files).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import ClassVar, Protocol

from connectors._shared.spec import TableSpec

Row = dict[str, str | None]
# One page (or chunk) of a read: raw table name -> rows, every value text or None.
Batch = dict[str, list[Row]]


class Source(Protocol):
    """An API source. Implement it by subclassing, which brings `cursor_key`'s default.

    `name` is the connector ('hubspot', 'google_ads'): load records and quarantine
    origins name a load '<name>:<stream>'. `label` is the vendor as messages name it.
    `streams` are what `read` accepts, in load order; `tables_by_stream` the raw tables
    each stream fills, the first being the one whose cursor column the stream's cursor
    follows. `credentials` names the environment variables that configure the source,
    for messages. `cursor_lookback` is how far a saved cursor is stepped back before a
    read (an API whose search index lags recent edits would otherwise skip them).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    streams: ClassVar[tuple[str, ...]]
    tables_by_stream: ClassVar[Mapping[str, tuple[TableSpec, ...]]]
    credentials: ClassVar[str]
    cursor_lookback: timedelta

    @classmethod
    def is_configured(cls, env: Mapping[str, str]) -> bool:
        """Whether the environment asks for this source (its main credential is set)."""
        ...

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Source:
        """The source as the environment configures it; an AuthError names what is missing."""
        ...

    def read(self, stream: str, since: str | None) -> Iterator[Batch]:
        """Batches of `stream`'s rows changed after `since` (a cursor value; None: everything)."""
        ...

    def cursor_key(self, stream: str) -> tuple[str, str]:
        """Where raw._touchline_state keeps `stream`'s cursor: (source, stream)."""
        return self.name, stream


def tables_of(sources: Iterable[type[Source]]) -> tuple[TableSpec, ...]:
    """The raw tables `sources` fill, each once, in stream order; a table several of
    them fill accepts the values each of them accepts (TableSpec.accepting)."""
    found: dict[str, TableSpec] = {}
    for source in sources:
        for tables in source.tables_by_stream.values():
            for table in tables:
                known = found.get(table.name)
                found[table.name] = table if known is None else known.accepting(table)
    return tuple(found.values())
