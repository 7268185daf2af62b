"""The raw tables Touchline lands, and the row-level rules each load must pass.

This module is the single definition of the `raw` schema: the file source, the API
connectors, the quality gates (quarantine and the great-expectations suites) and the
dbt sources all read it. Every raw column is stored as text (VARCHAR): the sources
disagree about types, so typing happens once, in dbt staging, after the rules have set
aside every value that would not parse. Each table also carries `_load_id`,
`_loaded_at` and `_row_hash`, stamped by the loader.
"""

from __future__ import annotations

from connectors._shared.spec import (  # noqa: F401  (re-exported: the one import path for specs)
    ACTIVITY_TYPES, BOOLEAN, DATE, DIRECTIONS, INTEGER, NUMBER, TIMESTAMP, WEB_EVENT_TYPES,
    TableSpec, _spec,
)
from connectors._ads_shared.tables import ADS_API_TABLES
from connectors.salesforce.tables import SALESFORCE_TABLES

# --- The file source (CONTRACT.md section 1) and the demo's ads/web files -------------
FILE_TABLES: tuple[TableSpec, ...] = (
    _spec(
        "crm", "accounts",
        ["account_id", "name", "domain", "industry", "region", "country", "employee_count",
         "annual_revenue", "owner_id", "created_at", "updated_at", "is_deleted"],
        key=("account_id",), required=("account_id",),
        types={"employee_count": INTEGER, "annual_revenue": NUMBER, "created_at": TIMESTAMP,
               "updated_at": TIMESTAMP, "is_deleted": BOOLEAN},
        cursor="updated_at",
        description="One row per CRM account (company).",
    ),
    _spec(
        "crm", "contacts",
        ["contact_id", "email", "account_id", "owner_id", "lifecycle_stage", "lead_status",
         "lead_score", "original_source", "created_at", "updated_at", "is_deleted",
         "became_lead_at", "became_mql_at", "became_sql_at", "became_opportunity_at",
         "became_customer_at"],
        key=("contact_id",), required=("contact_id", "created_at"),
        types={"lead_score": NUMBER, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
               "is_deleted": BOOLEAN, "became_lead_at": TIMESTAMP, "became_mql_at": TIMESTAMP,
               "became_sql_at": TIMESTAMP, "became_opportunity_at": TIMESTAMP,
               "became_customer_at": TIMESTAMP},
        cursor="updated_at",
        description="One row per CRM contact (person known to the CRM).",
    ),
    _spec(
        "crm", "contact_stage_history",
        ["contact_id", "lifecycle_stage", "entered_at"],
        key=("contact_id", "lifecycle_stage", "entered_at"),
        required=("contact_id", "lifecycle_stage", "entered_at"),
        types={"entered_at": TIMESTAMP},
        description="One row per contact and lifecycle stage entered.",
    ),
    _spec(
        "crm", "deals",
        ["deal_id", "account_id", "contact_id", "owner_id", "pipeline", "deal_stage", "amount",
         "currency", "created_at", "closed_at", "is_closed", "is_won", "lost_reason",
         "updated_at", "is_deleted"],
        key=("deal_id",), required=("deal_id", "deal_stage"),
        types={"amount": NUMBER, "created_at": TIMESTAMP, "closed_at": TIMESTAMP,
               "is_closed": BOOLEAN, "is_won": BOOLEAN, "updated_at": TIMESTAMP,
               "is_deleted": BOOLEAN},
        cursor="updated_at",
        description="One row per deal (opportunity).",
    ),
    _spec(
        "crm", "deal_stage_history",
        ["deal_id", "deal_stage", "entered_at"],
        key=("deal_id", "deal_stage", "entered_at"),
        required=("deal_id", "deal_stage", "entered_at"),
        types={"entered_at": TIMESTAMP},
        description="One row per deal and deal stage entered.",
    ),
    _spec(
        "crm", "activities",
        ["activity_id", "activity_type", "direction", "contact_id", "account_id", "deal_id",
         "owner_id", "occurred_at", "outcome"],
        key=("activity_id",), required=("activity_id", "activity_type", "occurred_at"),
        types={"occurred_at": TIMESTAMP},
        value_sets={"activity_type": ACTIVITY_TYPES, "direction": DIRECTIONS},
        cursor="occurred_at",
        description="One row per sales activity (call, meeting, email, task, note).",
    ),
    _spec(
        "crm", "owners",
        ["owner_id", "name", "email", "team", "manager_id", "region"],
        key=("owner_id",), required=("owner_id",),
        description="One row per CRM owner (user).",
    ),
    _spec(
        "crm", "campaign_members",
        ["campaign_id", "contact_id", "member_status", "responded_at", "campaign_name",
         "campaign_type"],
        key=("campaign_id", "contact_id"), required=("campaign_id", "contact_id"),
        types={"responded_at": TIMESTAMP},
        description="One row per CRM campaign and member contact.",
    ),
    _spec(
        "ads", "campaigns",
        ["platform", "campaign_id", "campaign_name", "utm_source", "utm_medium", "utm_campaign"],
        key=("platform", "campaign_id"), required=("platform", "campaign_id"),
        description="One row per ad platform campaign.",
    ),
    _spec(
        "ads", "ad_performance_daily",
        ["platform", "date", "campaign_id", "ad_group_id", "ad_id", "currency", "spend",
         "impressions", "clicks", "conversions"],
        key=("platform", "date", "campaign_id", "ad_group_id", "ad_id"),
        required=("platform", "date", "campaign_id", "spend"),
        types={"date": DATE, "spend": NUMBER, "impressions": INTEGER, "clicks": INTEGER,
               "conversions": NUMBER},
        description="One row per platform, day, campaign, ad group and ad.",
    ),
    _spec(
        "web", "events",
        ["message_id", "type", "event", "anonymous_id", "user_id", "timestamp", "traits",
         "context", "properties"],
        key=("message_id",), required=("message_id", "type", "timestamp"),
        types={"timestamp": TIMESTAMP},
        value_sets={"type": WEB_EVENT_TYPES},
        cursor="timestamp",
        description="One row per Segment-spec web event; traits, context and properties as JSON text.",
    ),
    # GA4's BigQuery export (events_YYYYMMDD), as JSON Lines or Parquet files: records
    # and repeated fields (event_params, traffic_source ...) are kept as JSON text.
    # GA4 has no event id: the key is the event's identity as dbt-ga4 builds it.
    _spec(
        "web", "ga4_events",
        ["event_date", "event_timestamp", "event_name", "event_bundle_sequence_id",
         "user_pseudo_id", "user_id", "event_params", "user_properties", "traffic_source",
         "collected_traffic_source", "device", "geo", "platform", "stream_id"],
        key=("user_pseudo_id", "event_timestamp", "event_name", "event_bundle_sequence_id", "event_params"),
        required=("event_timestamp", "event_name"),
        types={"event_timestamp": INTEGER},
        description="One row per GA4 export event; nested records as JSON text.",
    ),
)

# --- The HubSpot CRM v3 connector -----------------------------------------------------
# Object properties land as `property_<hubspot name>` (as Fivetran lands them), so a
# company that already syncs HubSpot with Fivetran recognises every column.
# The properties the connector asks HubSpot for, per object. Unknown extra properties
# a portal returns are kept as further `property_*` columns.
HUBSPOT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "companies": ("name", "domain", "industry", "country", "state", "region",
                  "numberofemployees", "annualrevenue", "hubspot_owner_id", "createdate",
                  "hs_lastmodifieddate"),
    "contacts": ("email", "firstname", "lastname", "associatedcompanyid", "hubspot_owner_id",
                 "lifecyclestage", "hs_lead_status", "hubspotscore", "hs_analytics_source",
                 "createdate", "lastmodifieddate", "hs_lifecyclestage_lead_date",
                 "hs_lifecyclestage_marketingqualifiedlead_date",
                 "hs_lifecyclestage_salesqualifiedlead_date",
                 "hs_lifecyclestage_opportunity_date", "hs_lifecyclestage_customer_date",
                 "hs_merged_object_ids"),
    "deals": ("dealname", "pipeline", "dealstage", "amount", "deal_currency_code", "createdate",
              "closedate", "hs_is_closed", "hs_is_closed_won", "closed_lost_reason",
              "hubspot_owner_id", "hs_lastmodifieddate"),
    "engagements": ("hs_timestamp", "hubspot_owner_id", "hs_call_direction",
                    "hs_call_disposition", "hs_meeting_outcome", "hs_email_direction",
                    "hs_task_status", "hs_task_type"),
}


def _props(obj: str) -> list[str]:
    return [f"property_{p}" for p in HUBSPOT_PROPERTIES[obj]]


HUBSPOT_TABLES: tuple[TableSpec, ...] = (
    _spec("hubspot", "companies", ["id", "created_at", "updated_at", "archived", *_props("companies")],
          key=("id",), required=("id",),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          cursor="updated_at", description="One row per HubSpot company."),
    _spec("hubspot", "contacts", ["id", "created_at", "updated_at", "archived", *_props("contacts")],
          key=("id",), required=("id", "created_at"),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          cursor="updated_at", description="One row per HubSpot contact."),
    _spec("hubspot", "contact_stage_history", ["contact_id", "lifecyclestage", "entered_at", "source_type"],
          key=("contact_id", "lifecyclestage", "entered_at"),
          required=("contact_id", "lifecyclestage", "entered_at"),
          types={"entered_at": TIMESTAMP},
          description="One row per HubSpot contact and lifecyclestage value it held, from propertiesWithHistory."),
    _spec("hubspot", "deals", ["id", "created_at", "updated_at", "archived",
                               "association_company_id", "association_contact_id", *_props("deals")],
          key=("id",), required=("id",),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          cursor="updated_at", description="One row per HubSpot deal."),
    _spec("hubspot", "deal_stage_history", ["deal_id", "dealstage", "entered_at", "source_type"],
          key=("deal_id", "dealstage", "entered_at"), required=("deal_id", "dealstage", "entered_at"),
          types={"entered_at": TIMESTAMP},
          description="One row per HubSpot deal and dealstage value it held, from propertiesWithHistory."),
    _spec("hubspot", "owners", ["id", "email", "first_name", "last_name", "team_name",
                                "created_at", "updated_at", "archived"],
          key=("id",), required=("id",),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          description="One row per HubSpot owner."),
    _spec("hubspot", "engagements", ["id", "engagement_type", "created_at", "updated_at",
                                     "archived", "association_contact_id",
                                     "association_company_id", "association_deal_id",
                                     *_props("engagements")],
          key=("engagement_type", "id"), required=("id", "engagement_type"),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          value_sets={"engagement_type": ("calls", "meetings", "emails", "notes", "tasks")},
          cursor="updated_at",
          description="One row per HubSpot engagement object (calls, meetings, emails, notes, tasks)."),
)

ALL_TABLES: tuple[TableSpec, ...] = FILE_TABLES + HUBSPOT_TABLES + SALESFORCE_TABLES + ADS_API_TABLES
BY_NAME: dict[str, TableSpec] = {t.name: t for t in ALL_TABLES}


def spec(name: str) -> TableSpec:
    """Return the spec of raw table `name`, or fail with the list of known tables."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown raw table {name!r}: known tables are {', '.join(sorted(BY_NAME))}") from None
