"""Shared pieces of the ad platform API connectors (google_ads, meta_ads, linkedin_ads).

`tables.ADS_API_TABLES` defines the raw tables they land; `helpers` holds the errors,
the retrying session (dlt's), report windows, row shaping and UTM parsing they share.
"""

from .tables import ADS_API_TABLES, CAMPAIGNS_TABLE, PERFORMANCE_TABLE, PLATFORMS

__all__ = ["ADS_API_TABLES", "CAMPAIGNS_TABLE", "PERFORMANCE_TABLE", "PLATFORMS"]
