"""Every source Touchline lands, and every raw table: the one list above the sources.

Each source package declares its own tables and streams; this module names the
sources, so that nothing below it needs to know which exist. The pipeline
(orchestration/defs/ingest.py) builds one step per group here, with an asset and its
checks per table; tests/dbt create every raw table from ALL_TABLES, and dbt's raw
sources must name exactly these tables (tests/dbt/test_dbt_project_files.py).

Adding an ad platform is one line in AD_PLATFORMS (and its package, and a row in the
dbt seed ad_platforms.csv): README.md, "Add a source".
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors._shared.source import Source, tables_of
from connectors._shared.spec import TableSpec
from connectors.files.tables import FILE_TABLES
from connectors.google_ads import GoogleAdsSource
from connectors.hubspot import HubSpotSource
from connectors.linkedin_ads import LinkedInAdsSource
from connectors.meta_ads import MetaAdsSource
from connectors.salesforce import SalesforceSource

AD_PLATFORMS: tuple[type[Source], ...] = (
    GoogleAdsSource,
    MetaAdsSource,
    LinkedInAdsSource,
)


@dataclass(frozen=True)
class SourceGroup:
    """API sources landed by one step of the pipeline (the Dagster multi-asset
    `<name>_raw`), with an asset and two checks per raw table they fill."""

    name: str
    title: str
    sources: tuple[type[Source], ...]
    description: str

    @property
    def tables(self) -> tuple[TableSpec, ...]:
        return tables_of(self.sources)

    @property
    def not_configured(self) -> str:
        """Why the step lands nothing this run, naming what to set."""
        hints = ", ".join(source.credentials for source in self.sources)
        return f"{self.title} not configured (set {hints} and use --source live)"


API_GROUPS: tuple[SourceGroup, ...] = (
    SourceGroup("hubspot", "HubSpot", (HubSpotSource,),
                "Land HubSpot CRM v3 objects in raw, incrementally by last-modified cursor."),
    SourceGroup("salesforce", "Salesforce", (SalesforceSource,),
                "Land Salesforce objects in raw (queryAll, incremental on SystemModstamp)."),
    # One step lands every ad platform, into one column set.
    SourceGroup("ads_api", "Ad platforms", AD_PLATFORMS,
                f"Land {', '.join(p.label for p in AD_PLATFORMS[:-1])} and {AD_PLATFORMS[-1].label} campaigns "
                "and daily performance in one column set."),
)
API_SOURCES: tuple[type[Source], ...] = tuple(source for group in API_GROUPS for source in group.sources)

ALL_TABLES: tuple[TableSpec, ...] = FILE_TABLES + tables_of(API_SOURCES)
BY_NAME: dict[str, TableSpec] = {t.name: t for t in ALL_TABLES}


def spec(name: str) -> TableSpec:
    """Return the spec of raw table `name`, or fail with the list of known tables."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown raw table {name!r}: known tables are {', '.join(sorted(BY_NAME))}") from None
