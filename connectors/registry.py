"""Every source Touchline lands, and every raw table: the one list above the sources.

Each source package declares its own tables (`connectors/<source>/tables.py`); this
module gathers them, so that nothing below it needs to know which sources exist.
The pipeline (orchestration/defs/ingest.py) builds its assets and checks from here,
tests/dbt create every raw table from here, and dbt's raw sources must name exactly
these tables (tests/dbt/test_dbt_project_files.py).
"""

from __future__ import annotations

from connectors._ads_shared.tables import ADS_API_TABLES
from connectors._shared.spec import TableSpec
from connectors.files.tables import FILE_TABLES
from connectors.hubspot.tables import HUBSPOT_TABLES
from connectors.salesforce.tables import SALESFORCE_TABLES

ALL_TABLES: tuple[TableSpec, ...] = FILE_TABLES + HUBSPOT_TABLES + SALESFORCE_TABLES + ADS_API_TABLES
BY_NAME: dict[str, TableSpec] = {t.name: t for t in ALL_TABLES}


def spec(name: str) -> TableSpec:
    """Return the spec of raw table `name`, or fail with the list of known tables."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown raw table {name!r}: known tables are {', '.join(sorted(BY_NAME))}") from None
