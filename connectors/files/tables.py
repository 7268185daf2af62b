"""The raw tables of the file source (CONTRACT.md section 1), and the row rules each
load must pass: CRM, ads and web exports, one file or folder of files per table.

The demo writes its world in the same layout, so these specs are the demo's
canonical tables too. docs/file-layout.md is generated from them (layout_doc.py).
"""

from __future__ import annotations

from connectors._shared.spec import (
    ACTIVITY_TYPES, BOOLEAN, DATE, DIRECTIONS, INTEGER, NUMBER, TIMESTAMP, WEB_EVENT_TYPES, TableSpec, raw_table,
)

FILE_TABLES: tuple[TableSpec, ...] = (
    raw_table(
        "crm", "accounts",
        ["account_id", "name", "domain", "industry", "region", "country", "employee_count",
         "annual_revenue", "owner_id", "created_at", "updated_at", "is_deleted"],
        key=("account_id",), required=("account_id",),
        types={"employee_count": INTEGER, "annual_revenue": NUMBER, "created_at": TIMESTAMP,
               "updated_at": TIMESTAMP, "is_deleted": BOOLEAN},
        cursor="updated_at",
        description="One row per CRM account (company).",
    ),
    raw_table(
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
    raw_table(
        "crm", "contact_stage_history",
        ["contact_id", "lifecycle_stage", "entered_at"],
        key=("contact_id", "lifecycle_stage", "entered_at"),
        required=("contact_id", "lifecycle_stage", "entered_at"),
        types={"entered_at": TIMESTAMP},
        description="One row per contact and lifecycle stage entered.",
    ),
    raw_table(
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
    raw_table(
        "crm", "deal_stage_history",
        ["deal_id", "deal_stage", "entered_at"],
        key=("deal_id", "deal_stage", "entered_at"),
        required=("deal_id", "deal_stage", "entered_at"),
        types={"entered_at": TIMESTAMP},
        description="One row per deal and deal stage entered.",
    ),
    raw_table(
        "crm", "activities",
        ["activity_id", "activity_type", "direction", "contact_id", "account_id", "deal_id",
         "owner_id", "occurred_at", "outcome"],
        key=("activity_id",), required=("activity_id", "activity_type", "occurred_at"),
        types={"occurred_at": TIMESTAMP},
        value_sets={"activity_type": ACTIVITY_TYPES, "direction": DIRECTIONS},
        cursor="occurred_at",
        description="One row per sales activity (call, meeting, email, task, note).",
    ),
    raw_table(
        "crm", "owners",
        ["owner_id", "name", "email", "team", "manager_id", "region"],
        key=("owner_id",), required=("owner_id",),
        description="One row per CRM owner (user).",
    ),
    raw_table(
        "crm", "campaign_members",
        ["campaign_id", "contact_id", "member_status", "responded_at", "campaign_name",
         "campaign_type"],
        key=("campaign_id", "contact_id"), required=("campaign_id", "contact_id"),
        types={"responded_at": TIMESTAMP},
        description="One row per CRM campaign and member contact.",
    ),
    raw_table(
        "ads", "campaigns",
        ["platform", "campaign_id", "campaign_name", "utm_source", "utm_medium", "utm_campaign"],
        key=("platform", "campaign_id"), required=("platform", "campaign_id"),
        description="One row per ad platform campaign.",
    ),
    raw_table(
        "ads", "ad_performance_daily",
        ["platform", "date", "campaign_id", "ad_group_id", "ad_id", "currency", "spend",
         "impressions", "clicks", "conversions"],
        key=("platform", "date", "campaign_id", "ad_group_id", "ad_id"),
        required=("platform", "date", "campaign_id", "spend"),
        types={"date": DATE, "spend": NUMBER, "impressions": INTEGER, "clicks": INTEGER,
               "conversions": NUMBER},
        description="One row per platform, day, campaign, ad group and ad.",
    ),
    raw_table(
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
    raw_table(
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
FILE_BY_NAME: dict[str, TableSpec] = {t.name: t for t in FILE_TABLES}
