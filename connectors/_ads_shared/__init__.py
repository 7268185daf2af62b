"""Shared pieces of the ad platform API connectors (google_ads, meta_ads, linkedin_ads).

`tables.ADS_API_TABLES` defines the raw tables they land; `helpers` holds the report
windows, row shaping and UTM parsing they share (the HTTP plumbing is
connectors._shared.http).
"""

from .tables import ADS_API_TABLES, CAMPAIGNS_TABLE, PERFORMANCE_TABLE, PLATFORMS

__all__ = ["ADS_API_TABLES", "CAMPAIGNS_TABLE", "PERFORMANCE_TABLE", "PLATFORMS"]
