"""The raw tables the HubSpot connector lands, the objects it reads into them, and the
properties it asks HubSpot for.

Object properties land as `property_<hubspot name>` (as Fivetran lands them), so a
company that already syncs HubSpot with Fivetran recognises every column. Like every
raw table, every column is text; staging types them.
"""

from __future__ import annotations

from connectors._shared.spec import BOOLEAN, TIMESTAMP, TableSpec, raw_table

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
    raw_table("hubspot", "companies", ["id", "created_at", "updated_at", "archived", *_props("companies")],
          key=("id",), required=("id",),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          cursor="updated_at", description="One row per HubSpot company."),
    raw_table("hubspot", "contacts", ["id", "created_at", "updated_at", "archived", *_props("contacts")],
          key=("id",), required=("id", "created_at"),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          cursor="updated_at", description="One row per HubSpot contact."),
    raw_table("hubspot", "contact_stage_history", ["contact_id", "lifecyclestage", "entered_at", "source_type"],
          key=("contact_id", "lifecyclestage", "entered_at"),
          required=("contact_id", "lifecyclestage", "entered_at"),
          types={"entered_at": TIMESTAMP},
          description="One row per HubSpot contact and lifecyclestage value it held, from propertiesWithHistory."),
    raw_table("hubspot", "deals", ["id", "created_at", "updated_at", "archived",
                               "association_company_id", "association_contact_id", *_props("deals")],
          key=("id",), required=("id",),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          cursor="updated_at", description="One row per HubSpot deal."),
    raw_table("hubspot", "deal_stage_history", ["deal_id", "dealstage", "entered_at", "source_type"],
          key=("deal_id", "dealstage", "entered_at"), required=("deal_id", "dealstage", "entered_at"),
          types={"entered_at": TIMESTAMP},
          description="One row per HubSpot deal and dealstage value it held, from propertiesWithHistory."),
    raw_table("hubspot", "owners", ["id", "email", "first_name", "last_name", "team_name",
                                "created_at", "updated_at", "archived"],
          key=("id",), required=("id",),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          description="One row per HubSpot owner."),
    raw_table("hubspot", "engagements", ["id", "engagement_type", "created_at", "updated_at",
                                     "archived", "association_contact_id",
                                     "association_company_id", "association_deal_id",
                                     *_props("engagements")],
          key=("engagement_type", "id"), required=("id", "engagement_type"),
          types={"created_at": TIMESTAMP, "updated_at": TIMESTAMP, "archived": BOOLEAN},
          value_sets={"engagement_type": ("calls", "meetings", "emails", "notes", "tasks")},
          cursor="updated_at",
          description="One row per HubSpot engagement object (calls, meetings, emails, notes, tasks)."),
)
HUBSPOT_BY_NAME: dict[str, TableSpec] = {t.name: t for t in HUBSPOT_TABLES}

# The objects read (the connector's streams), in load order, and the raw tables each fills.
OBJECTS = ("owners", "companies", "contacts", "deals", "engagements")
TABLES_BY_OBJECT: dict[str, tuple[str, ...]] = {
    "owners": ("hubspot_owners",),
    "companies": ("hubspot_companies",),
    "contacts": ("hubspot_contacts", "hubspot_contact_stage_history"),
    "deals": ("hubspot_deals", "hubspot_deal_stage_history"),
    "engagements": ("hubspot_engagements",),
}
