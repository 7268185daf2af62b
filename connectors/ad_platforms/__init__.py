"""What the ad platform sources (google_ads, meta_ads, linkedin_ads) have in common.

`source.AdPlatformSource` is their base: accounts, report windows, the two streams,
the credentials check. `tables` defines the two raw tables they all land, in one
column set; `helpers` holds the report windows, row shaping and UTM parsing. The HTTP
plumbing is connectors._shared.http. An ad platform is added as its own package with
a subclass of AdPlatformSource, one line in connectors/registry.py and a row in the
dbt seed ad_platforms.csv (README.md, "Add a source").
"""

from .tables import ADS_API_TABLES, CAMPAIGNS_TABLE, PERFORMANCE_TABLE

__all__ = ["ADS_API_TABLES", "CAMPAIGNS_TABLE", "PERFORMANCE_TABLE"]
