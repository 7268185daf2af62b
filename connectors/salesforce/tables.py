"""The raw tables the Salesforce connector lands, and the SOQL fields behind each column.

`SALESFORCE_FIELDS` is the single list of fields the connector asks Salesforce for, per
object (standard fields only: they exist in every org, apart from the few marked
optional below). Each raw column is the snake_case of its field's API name
(`LeadSource` → `lead_source`, `UserRole.Name` → `user_role_name`, a custom
`Lead_Score__c` → `lead_score__c`), so a column always leads back to one field.
`SALESFORCE_TABLES` are the raw table specs, in the conventions of every TableSpec
(`connectors._shared.spec`: every column text; types checked at landing, cast in dbt
staging).
"""

from __future__ import annotations

import re

from connectors._shared.spec import BOOLEAN, DATE, INTEGER, NUMBER, TIMESTAMP, TableSpec, raw_table

# The objects read, in a sensible load order (owners and accounts before the records
# that point at them).
OBJECTS = ("User", "Account", "Lead", "Contact", "Opportunity", "OpportunityHistory",
           "OpportunityFieldHistory", "Task", "Event", "Campaign", "CampaignMember")

_SYSTEM = ("CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted")

SALESFORCE_FIELDS: dict[str, tuple[str, ...]] = {
    # User has no IsDeleted (users are deactivated, never deleted). Team comes from the
    # role (UserRole.Name) or Department; Division often holds a region.
    "User": ("Id", "Name", "FirstName", "LastName", "Email", "Title", "Department", "Division",
             "UserRoleId", "UserRole.Name", "ManagerId", "IsActive", "UserType", "CreatedDate",
             "LastModifiedDate", "SystemModstamp"),
    "Account": ("Id", "Name", "Website", "Industry", "Type", "BillingCountry", "BillingState",
                "NumberOfEmployees", "AnnualRevenue", "CurrencyIsoCode", "OwnerId", "ParentId",
                "AccountSource", *_SYSTEM),
    "Lead": ("Id", "FirstName", "LastName", "Email", "Company", "Title", "Status", "LeadSource",
             "Rating", "Industry", "Country", "OwnerId", "IsConverted", "ConvertedDate",
             "ConvertedContactId", "ConvertedAccountId", "ConvertedOpportunityId", "MasterRecordId",
             *_SYSTEM),
    "Contact": ("Id", "FirstName", "LastName", "Email", "AccountId", "OwnerId", "Title", "Department",
                "LeadSource", "MailingCountry", "MasterRecordId", *_SYSTEM),
    "Opportunity": ("Id", "Name", "AccountId", "ContactId", "OwnerId", "StageName", "Amount",
                    "CurrencyIsoCode", "Probability", "ForecastCategoryName", "CloseDate", "IsClosed",
                    "IsWon", "Type", "LeadSource", "CampaignId", *_SYSTEM),
    "OpportunityHistory": ("Id", "OpportunityId", "StageName", "Amount", "CloseDate", "Probability",
                           "ForecastCategory", "ExpectedRevenue", "CreatedById", "CreatedDate",
                           "SystemModstamp", "IsDeleted"),
    # No SystemModstamp or LastModifiedDate: field history rows are written once.
    "OpportunityFieldHistory": ("Id", "OpportunityId", "Field", "OldValue", "NewValue", "DataType",
                                "CreatedById", "CreatedDate", "IsDeleted"),
    "Task": ("Id", "Subject", "Type", "TaskSubtype", "Status", "WhoId", "WhatId", "AccountId", "OwnerId",
             "ActivityDate", "CompletedDateTime", "IsClosed", "CallType", "CallDisposition",
             "CallDurationInSeconds", "IsArchived", *_SYSTEM),
    "Event": ("Id", "Subject", "Type", "EventSubtype", "WhoId", "WhatId", "AccountId", "OwnerId",
              "ActivityDate", "ActivityDateTime", "StartDateTime", "EndDateTime", "DurationInMinutes",
              "IsAllDayEvent", "IsArchived", *_SYSTEM),
    "Campaign": ("Id", "Name", "Type", "Status", "StartDate", "EndDate", "IsActive", "ParentId", "OwnerId",
                 *_SYSTEM),
    "CampaignMember": ("Id", "CampaignId", "LeadId", "ContactId", "Status", "HasResponded",
                       "FirstRespondedDate", *_SYSTEM),
}

# Fields that only some orgs have: CurrencyIsoCode exists only with multi-currency
# enabled; Opportunity.ContactId only in newer orgs and API versions. Missing ones are
# dropped after describe without a warning; any other missing field is warned about.
OPTIONAL_FIELDS: dict[str, frozenset[str]] = {
    "Account": frozenset({"CurrencyIsoCode"}),
    "Opportunity": frozenset({"CurrencyIsoCode", "ContactId"}),
}

# The field an incremental read filters and orders on, when the object has it.
CURSOR_FIELD = "SystemModstamp"
# Objects without SystemModstamp (rows never change once written) use this instead.
FALLBACK_CURSOR_FIELD = "CreatedDate"

_BOUNDARY_LOWER = re.compile(r"([a-z0-9])([A-Z])")
_BOUNDARY_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")


def column_name(field: str) -> str:
    """The raw column of a Salesforce field: its API name in snake_case.

    Relationship paths join with an underscore (`UserRole.Name` → `user_role_name`);
    the `__c` / `__r` suffix and a managed-package namespace stay, separated by their
    double underscore (`ns__Deal_Size__c` → `ns__deal_size__c`), so custom fields
    never collide with standard ones.
    """
    parts = []
    for segment in field.split("."):
        pieces = []
        for piece in segment.split("__"):
            piece = _BOUNDARY_ACRONYM.sub(r"\1_\2", piece)
            piece = _BOUNDARY_LOWER.sub(r"\1_\2", piece)
            pieces.append(piece.lower())
        parts.append("__".join(pieces))
    return "_".join(parts)


def table_name(obj: str) -> str:
    """The raw table of a Salesforce object: `salesforce_<entity>`, plural where countable."""
    return _TABLE_NAMES[obj]


_TABLE_NAMES = {
    "User": "salesforce_users", "Account": "salesforce_accounts", "Lead": "salesforce_leads",
    "Contact": "salesforce_contacts", "Opportunity": "salesforce_opportunities",
    "OpportunityHistory": "salesforce_opportunity_history",
    "OpportunityFieldHistory": "salesforce_opportunity_field_history",
    "Task": "salesforce_tasks", "Event": "salesforce_events", "Campaign": "salesforce_campaigns",
    "CampaignMember": "salesforce_campaign_members",
}

TABLES_BY_OBJECT: dict[str, tuple[str, ...]] = {obj: (_TABLE_NAMES[obj],) for obj in OBJECTS}


def _columns(obj: str) -> list[str]:
    return [column_name(f) for f in SALESFORCE_FIELDS[obj]]


_SYSTEM_TYPES = {"created_date": TIMESTAMP, "last_modified_date": TIMESTAMP, "system_modstamp": TIMESTAMP,
                 "is_deleted": BOOLEAN}


def _sf(entity: str, obj: str, *, required: tuple[str, ...], types: dict[str, str], description: str,
        cursor: str = "system_modstamp") -> TableSpec:
    columns = _columns(obj)
    kinds = {c: k for c, k in {**_SYSTEM_TYPES, **types}.items() if c in columns}
    return raw_table("salesforce", entity, columns, key=("id",), required=required, types=kinds, cursor=cursor,
                 description=description)


# Event start/end times are deliberately untyped here: meetings are booked weeks ahead,
# and the landing's plausibility rule refuses timestamps in the future. Staging casts
# them with try_cast like every other column.
SALESFORCE_TABLES: tuple[TableSpec, ...] = (
    _sf("users", "User", required=("id", "system_modstamp"), types={"is_active": BOOLEAN},
        description="One row per Salesforce user (record owner)."),
    _sf("accounts", "Account", required=("id", "system_modstamp"),
        types={"number_of_employees": INTEGER, "annual_revenue": NUMBER},
        description="One row per Salesforce account."),
    _sf("leads", "Lead", required=("id", "created_date", "system_modstamp"),
        types={"is_converted": BOOLEAN, "converted_date": DATE},
        description="One row per Salesforce lead, converted ones included (is_converted, converted_*_id)."),
    _sf("contacts", "Contact", required=("id", "created_date", "system_modstamp"), types={},
        description="One row per Salesforce contact."),
    _sf("opportunities", "Opportunity", required=("id", "stage_name", "system_modstamp"),
        types={"amount": NUMBER, "probability": NUMBER, "close_date": DATE, "is_closed": BOOLEAN,
               "is_won": BOOLEAN},
        description="One row per Salesforce opportunity."),
    _sf("opportunity_history", "OpportunityHistory",
        required=("id", "opportunity_id", "stage_name", "created_date", "system_modstamp"),
        types={"amount": NUMBER, "close_date": DATE, "probability": NUMBER, "expected_revenue": NUMBER},
        description="One row per OpportunityHistory record: the stage, amount, close date and probability "
                    "an opportunity had from created_date on."),
    _sf("opportunity_field_history", "OpportunityFieldHistory",
        required=("id", "opportunity_id", "field", "created_date"), types={}, cursor="created_date",
        description="One row per tracked opportunity field change (field history tracking), "
                    "including the 'created' entry."),
    _sf("tasks", "Task", required=("id", "system_modstamp"),
        types={"activity_date": DATE, "completed_date_time": TIMESTAMP, "is_closed": BOOLEAN,
               "call_duration_in_seconds": INTEGER, "is_archived": BOOLEAN},
        description="One row per Salesforce task (calls, emails, to-dos; subtype in task_subtype)."),
    _sf("events", "Event", required=("id", "system_modstamp"),
        types={"activity_date": DATE, "duration_in_minutes": INTEGER, "is_all_day_event": BOOLEAN,
               "is_archived": BOOLEAN},
        description="One row per Salesforce event (meetings)."),
    _sf("campaigns", "Campaign", required=("id", "system_modstamp"),
        types={"start_date": DATE, "end_date": DATE, "is_active": BOOLEAN},
        description="One row per Salesforce campaign."),
    _sf("campaign_members", "CampaignMember", required=("id", "campaign_id", "system_modstamp"),
        types={"has_responded": BOOLEAN, "first_responded_date": DATE},
        description="One row per campaign member (a lead or contact in a campaign)."),
)

SALESFORCE_BY_NAME: dict[str, TableSpec] = {s.name: s for s in SALESFORCE_TABLES}


def spec(name: str) -> TableSpec:
    """Return the spec of Salesforce raw table `name`, or fail naming the known tables."""
    try:
        return SALESFORCE_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown Salesforce raw table {name!r}: known tables are "
                       f"{', '.join(sorted(SALESFORCE_BY_NAME))}") from None
