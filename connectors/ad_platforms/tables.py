"""The raw tables the ad platform API connectors land (Google Ads, Meta, LinkedIn).

One daily performance table shared by the three platforms, in Fivetran ad_reporting's
shared column set (platform, account_id, campaign_id, ad_group_id, ad_id, date_day,
impressions, clicks, spend, currency_code, conversions, conversions_value) plus the
account's time zone, and one campaigns table with the URL settings the UTMs are read
from. Like every raw table, every column is text; staging types them.

Spend is in the account's own currency, as a decimal string, with that currency and
the account's reporting time zone on every row: amounts are never converted or
summed across currencies here.

`platform` says which platform a row is from. Each platform lands the tables through
`platform_tables(its name)`, whose specs accept only that name there; the registry's
spec of each table (connectors.registry.ALL_TABLES) accepts every registered platform.
So the list of platforms is the registry's, and nowhere else.
"""

from __future__ import annotations

from dataclasses import replace

from connectors._shared.spec import DATE, INTEGER, NUMBER, TIMESTAMP, TableSpec

PERFORMANCE_TABLE = "ads_api_performance_daily"
CAMPAIGNS_TABLE = "ads_api_campaigns"

PERFORMANCE_COLUMNS = (
    "platform", "account_id", "campaign_id", "ad_group_id", "ad_id", "date_day",
    "impressions", "clicks", "spend", "currency_code", "conversions", "conversions_value",
    "account_timezone",
)
CAMPAIGN_COLUMNS = (
    "platform", "account_id", "campaign_id", "campaign_name", "status", "final_url",
    "url_tags", "tracking_url_template", "utm_source", "utm_medium", "utm_campaign",
    "updated_at",
)

ADS_API_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        name=PERFORMANCE_TABLE, group="ads_api", entity="performance_daily",
        columns=PERFORMANCE_COLUMNS,
        key=("platform", "account_id", "date_day", "campaign_id", "ad_group_id", "ad_id"),
        required=("platform", "account_id", "date_day", "campaign_id", "spend", "currency_code"),
        types={"date_day": DATE, "impressions": INTEGER, "clicks": INTEGER, "spend": NUMBER,
               "conversions": NUMBER, "conversions_value": NUMBER},
        cursor="date_day",
        description=(
            "One row per platform, ad account, day (in the account's time zone), campaign, ad group "
            "and ad, as the platform's reporting API reports it; spend in the account's currency."
        ),
    ),
    TableSpec(
        name=CAMPAIGNS_TABLE, group="ads_api", entity="campaigns",
        columns=CAMPAIGN_COLUMNS,
        key=("platform", "account_id", "campaign_id"),
        required=("platform", "account_id", "campaign_id"),
        types={"updated_at": TIMESTAMP},
        description=(
            "One row per platform, ad account and campaign, with its URL settings and the UTM "
            "parameters read from them."
        ),
    ),
)
ADS_BY_NAME: dict[str, TableSpec] = {t.name: t for t in ADS_API_TABLES}


def platform_tables(platform: str) -> dict[str, tuple[TableSpec, ...]]:
    """An ad platform source's streams and the tables each fills, as `platform` lands
    them: a row whose `platform` is not `platform` is quarantined."""

    def own(table: str) -> TableSpec:
        spec = ADS_BY_NAME[table]
        return replace(spec, value_sets={**spec.value_sets, "platform": (platform,)})

    return {"campaigns": (own(CAMPAIGNS_TABLE),), "performance": (own(PERFORMANCE_TABLE),)}
