"""A local Salesforce REST API on 127.0.0.1 serving canonical tables, for the demo and tests.

`SalesforceServer(tables)` translates the canonical CRM tables (CONTRACT.md section 1,
as Python rows keyed crm_accounts, crm_contacts, crm_contact_stage_history, crm_deals,
crm_deal_stage_history, crm_activities, crm_owners, crm_campaign_members) into a
Salesforce org and answers the REST endpoints the connector uses, with Salesforce's
shapes and rules:

- POST /services/oauth2/token: refresh_token and client_credentials grants (form
  encoded); OAuth error bodies (`{"error", "error_description"}`) on refusal.
- GET  /services/data/vXX.X/query?q=SOQL and /queryAll?q=SOQL: a small, strict SOQL
  subset (below); `query` hides deleted records, `queryAll` returns them
  (IsDeleted=true). Pages of `page_size` records (2,000, or the
  `Sforce-Query-Options: batchSize` asked, 200 to 2,000, whichever is smaller);
  `nextRecordsUrl` is `/services/data/vXX.X/query/<locator>-<offset>` for both, as
  Salesforce does. Results are fixed when the query runs (a server-side cursor).
- GET  /services/data/vXX.X/sobjects/<Object>/describe: the org's fields.
- GET  /services/data: the API versions (no session needed).

SOQL understood: `SELECT f1, f2, Rel.Field FROM Object [WHERE cond [AND cond ...]]
[ORDER BY field [ASC|DESC]] [LIMIT n]`, cond = `field op literal` with op one of
= != < <= > >= and a literal: dateTime (2024-01-01T00:00:00Z, no quotes), date,
'string', true/false, null. Field names are case-insensitive; an unknown field is a
400 INVALID_FIELD, a quoted dateTime a 400 INVALID_FIELD, bad syntax MALFORMED_QUERY,
an unknown object INVALID_TYPE, all with Salesforce's `[{"message", "errorCode"}]` body.

Every /services/data request needs `Authorization: Bearer <token>` (401
INVALID_SESSION_ID otherwise) and counts against `daily_limit` (403
REQUEST_LIMIT_EXCEEDED once used up); answers carry `Sforce-Limit-Info:
api-usage=n/limit`. `fail_next` injects 429/5xx/401/403 answers or a truncated body;
`expire_tokens` ends every session (as a session timeout does); `upsert` changes a
canonical row and moves its records' SystemModstamp past every other record's.

The translation (a simple, documented mapping; Salesforce's own vocabulary throughout):
- owners → User (+ a UserRole per team: sales "Account Executive", sdr "Sales
  Development Rep", marketing "Marketing"; Department = the team, Division = region).
- accounts → Account (Website www.<domain>, BillingCountry, custom Region__c).
- contacts before SQL (subscriber, lead, MQL, other) → an open Lead; contacts at SQL
  or later → a converted Lead (IsConverted, ConvertedDate, Converted*Id, Status
  "Closed - Converted") plus the Contact created at conversion. Lead Status follows
  lead_status: NEW/OPEN → "Open - Not Contacted" ("Marketing Qualified" when the
  contact is an MQL), ATTEMPTED_TO_CONTACT/CONNECTED/IN_PROGRESS → "Working -
  Contacted", UNQUALIFIED/BAD_TIMING → "Closed - Not Converted". lead_score and
  became_mql_at land in the custom fields Lead_Score__c and MQL_Date__c (Salesforce
  has no standard ones); other unknown canonical columns become custom fields too.
- deals → Opportunity, HubSpot-like stage ids mapped to Salesforce's standard stages
  (appointmentscheduled Prospecting, qualifiedtobuy Qualification,
  presentationscheduled Value Proposition, decisionmakerboughtin Id. Decision Makers,
  contractsent Negotiation/Review, closedwon Closed Won, closedlost Closed Lost);
  IsClosed/IsWon/Probability/ForecastCategoryName follow the stage, as in Salesforce.
  Stage history → OpportunityHistory (one record per stage entered) and
  OpportunityFieldHistory (a 'created' entry, then one StageName change per entry).
- activities → Task (call, email, task, note; TaskSubtype Call/Email/Task, CallType
  Inbound/Outbound, CallDisposition) or Event (meeting). WhoId is the person's Contact
  (or Lead), WhatId the opportunity or else the contact's account.
- campaign_members → Campaign + CampaignMember (LeadId, and ContactId once converted).
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from connectors.demo.fakes.base import FakeApi, Reply, Request
from connectors.demo.fakes.canonical import key as _key
from connectors.demo.fakes.canonical import merge_row
from connectors.demo.fakes.canonical import parse_time as _parse_time
from connectors.demo.fakes.canonical import truthy as _truthy

# When a canonical row says nothing about time, records were "created" here.
DEFAULT_TIME = datetime(2020, 1, 1, tzinfo=timezone.utc)
SUPPORTED_VERSIONS = tuple(f"{n}.0" for n in range(31, 67))
ORG_ID = "00D5g000004XyZQEA0"

# --- The org's schema ---------------------------------------------------------------------
# (field, type) per object; reference fields name their relationship and target.
_SYSTEM = (("CreatedDate", "datetime"), ("LastModifiedDate", "datetime"), ("SystemModstamp", "datetime"),
           ("IsDeleted", "boolean"))
_SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "UserRole": (("Id", "id"), ("Name", "string"), ("SystemModstamp", "datetime")),
    "User": (("Id", "id"), ("Username", "string"), ("Name", "string"), ("FirstName", "string"),
             ("LastName", "string"), ("Email", "email"), ("Title", "string"), ("Department", "string"),
             ("Division", "string"), ("UserRoleId", "reference"), ("ManagerId", "reference"),
             ("IsActive", "boolean"), ("UserType", "picklist"), ("CreatedDate", "datetime"),
             ("LastModifiedDate", "datetime"), ("SystemModstamp", "datetime")),
    "Account": (("Id", "id"), ("Name", "string"), ("Website", "url"), ("Industry", "picklist"),
                ("Type", "picklist"), ("BillingCountry", "string"), ("BillingState", "string"),
                ("NumberOfEmployees", "int"), ("AnnualRevenue", "currency"), ("OwnerId", "reference"),
                ("ParentId", "reference"), ("AccountSource", "picklist"), *_SYSTEM),
    "Lead": (("Id", "id"), ("Name", "string"), ("FirstName", "string"), ("LastName", "string"),
             ("Email", "email"), ("Company", "string"), ("Title", "string"), ("Status", "picklist"),
             ("LeadSource", "picklist"), ("Rating", "picklist"), ("Industry", "picklist"),
             ("Country", "string"), ("OwnerId", "reference"), ("IsConverted", "boolean"),
             ("ConvertedDate", "date"), ("ConvertedContactId", "reference"), ("ConvertedAccountId", "reference"),
             ("ConvertedOpportunityId", "reference"), ("MasterRecordId", "reference"), *_SYSTEM),
    "Contact": (("Id", "id"), ("Name", "string"), ("FirstName", "string"), ("LastName", "string"),
                ("Email", "email"), ("AccountId", "reference"), ("OwnerId", "reference"), ("Title", "string"),
                ("Department", "string"), ("LeadSource", "picklist"), ("MailingCountry", "string"),
                ("MasterRecordId", "reference"), *_SYSTEM),
    "Opportunity": (("Id", "id"), ("Name", "string"), ("AccountId", "reference"), ("ContactId", "reference"),
                    ("OwnerId", "reference"), ("StageName", "picklist"), ("Amount", "currency"),
                    ("Probability", "percent"), ("ForecastCategoryName", "picklist"), ("CloseDate", "date"),
                    ("IsClosed", "boolean"), ("IsWon", "boolean"), ("Type", "picklist"),
                    ("LeadSource", "picklist"), ("CampaignId", "reference"), *_SYSTEM),
    "OpportunityHistory": (("Id", "id"), ("OpportunityId", "reference"), ("StageName", "picklist"),
                           ("Amount", "currency"), ("CloseDate", "date"), ("Probability", "percent"),
                           ("ForecastCategory", "picklist"), ("ExpectedRevenue", "currency"),
                           ("CreatedById", "reference"), ("CreatedDate", "datetime"),
                           ("SystemModstamp", "datetime"), ("IsDeleted", "boolean")),
    "OpportunityFieldHistory": (("Id", "id"), ("OpportunityId", "reference"), ("Field", "picklist"),
                                ("OldValue", "anyType"), ("NewValue", "anyType"), ("DataType", "picklist"),
                                ("CreatedById", "reference"), ("CreatedDate", "datetime"),
                                ("IsDeleted", "boolean")),
    "Task": (("Id", "id"), ("Subject", "combobox"), ("Type", "picklist"), ("TaskSubtype", "picklist"),
             ("Status", "picklist"), ("WhoId", "reference"), ("WhatId", "reference"), ("AccountId", "reference"),
             ("OwnerId", "reference"), ("ActivityDate", "date"), ("CompletedDateTime", "datetime"),
             ("IsClosed", "boolean"), ("CallType", "picklist"), ("CallDisposition", "string"),
             ("CallDurationInSeconds", "int"), ("IsArchived", "boolean"), *_SYSTEM),
    "Event": (("Id", "id"), ("Subject", "combobox"), ("Type", "picklist"), ("EventSubtype", "picklist"),
              ("WhoId", "reference"), ("WhatId", "reference"), ("AccountId", "reference"), ("OwnerId", "reference"),
              ("ActivityDate", "date"), ("ActivityDateTime", "datetime"), ("StartDateTime", "datetime"),
              ("EndDateTime", "datetime"), ("DurationInMinutes", "int"), ("IsAllDayEvent", "boolean"),
              ("IsArchived", "boolean"), *_SYSTEM),
    "Campaign": (("Id", "id"), ("Name", "string"), ("Type", "picklist"), ("Status", "picklist"),
                 ("StartDate", "date"), ("EndDate", "date"), ("IsActive", "boolean"), ("ParentId", "reference"),
                 ("OwnerId", "reference"), *_SYSTEM),
    "CampaignMember": (("Id", "id"), ("CampaignId", "reference"), ("LeadId", "reference"),
                       ("ContactId", "reference"), ("Status", "picklist"), ("HasResponded", "boolean"),
                       ("FirstRespondedDate", "date"), *_SYSTEM),
}
# Custom fields every translated org has (Salesforce has no standard lead score, MQL
# date, loss reason or region).
_CUSTOM = {
    "Account": (("Region__c", "picklist"),),
    "Lead": (("Lead_Score__c", "double"), ("MQL_Date__c", "datetime")),
    "Contact": (("Lead_Score__c", "double"), ("MQL_Date__c", "datetime")),
    "Opportunity": (("Loss_Reason__c", "picklist"),),
}
_MULTI_CURRENCY = ("Account", "Opportunity", "OpportunityHistory")
# Reference fields: relationship name and the objects they point to.
_REFERENCES = {
    "UserRoleId": ("UserRole", ("UserRole",)), "ManagerId": ("Manager", ("User",)),
    "OwnerId": ("Owner", ("User",)), "ParentId": ("Parent", None), "AccountId": ("Account", ("Account",)),
    "ContactId": ("Contact", ("Contact",)), "LeadId": ("Lead", ("Lead",)),
    "ConvertedContactId": ("ConvertedContact", ("Contact",)),
    "ConvertedAccountId": ("ConvertedAccount", ("Account",)),
    "ConvertedOpportunityId": ("ConvertedOpportunity", ("Opportunity",)),
    "MasterRecordId": ("MasterRecord", None), "OpportunityId": ("Opportunity", ("Opportunity",)),
    "CreatedById": ("CreatedBy", ("User",)), "WhoId": ("Who", ("Contact", "Lead")),
    "WhatId": ("What", ("Account", "Opportunity", "Campaign")), "CampaignId": ("Campaign", ("Campaign",)),
}
_KEY_PREFIX = {"User": "005", "UserRole": "00E", "Account": "001", "Lead": "00Q", "Contact": "003",
               "Opportunity": "006", "OpportunityHistory": "008", "OpportunityFieldHistory": "017",
               "Task": "00T", "Event": "00U", "Campaign": "701", "CampaignMember": "00v"}

# --- Canonical values → Salesforce values -------------------------------------------------
_CONVERTED_STAGES = {"salesqualifiedlead", "sql", "opportunity", "customer", "evangelist"}
_MQL_STAGES = {"marketingqualifiedlead", "mql"}
_WORKING = {"attempted_to_contact", "connected", "in_progress", "open_deal", "working"}
_CLOSED_NOT_CONVERTED = {"unqualified", "bad_timing"}
# (stage, probability, forecast category name, is closed, is won): Salesforce's defaults.
_STAGES = {
    "Prospecting": (10, "Pipeline", False, False), "Qualification": (10, "Pipeline", False, False),
    "Needs Analysis": (20, "Pipeline", False, False), "Value Proposition": (50, "Pipeline", False, False),
    "Id. Decision Makers": (60, "Pipeline", False, False), "Perception Analysis": (70, "Pipeline", False, False),
    "Proposal/Price Quote": (75, "Pipeline", False, False), "Negotiation/Review": (90, "Pipeline", False, False),
    "Closed Won": (100, "Closed", True, True), "Closed Lost": (0, "Omitted", True, False),
}
_STAGE_FROM_CANONICAL = {
    "appointmentscheduled": "Prospecting", "qualifiedtobuy": "Qualification",
    "presentationscheduled": "Value Proposition", "decisionmakerboughtin": "Id. Decision Makers",
    "contractsent": "Negotiation/Review", "closedwon": "Closed Won", "closed_won": "Closed Won",
    "won": "Closed Won", "closedlost": "Closed Lost", "closed_lost": "Closed Lost", "lost": "Closed Lost",
}
# OpportunityHistory.ForecastCategory holds API names, not labels.
_FORECAST_API = {"Pipeline": "Pipeline", "Best Case": "BestCase", "Commit": "Forecast", "Closed": "Closed",
                 "Omitted": "Omitted"}
_LEAD_SOURCE = {"paid_search": "Paid Search", "organic_search": "Organic", "paid_social": "LinkedIn Ads",
                "email_marketing": "Email", "direct_traffic": "Web", "referrals": "Referral",
                "social_media": "Social", "offline": "Outbound", "other_campaigns": "Other"}
_ROLES = {"sales": "Account Executive", "sdr": "Sales Development Rep", "marketing": "Marketing"}
_CAMPAIGN_TYPES = {"webinar": "Webinar", "event": "Conference", "email": "Email", "trade_show": "Trade Show",
                   "advertisement": "Advertisement", "direct_mail": "Direct Mail"}

_KEYS = {"crm_accounts": ("account_id",), "crm_contacts": ("contact_id",), "crm_deals": ("deal_id",),
         "crm_activities": ("activity_id",), "crm_owners": ("owner_id",),
         "crm_campaign_members": ("campaign_id", "contact_id")}
_HISTORY_PARENT = {"crm_contact_stage_history": ("crm_contacts", "contact_id"),
                   "crm_deal_stage_history": ("crm_deals", "deal_id")}
TABLES = (*_KEYS, *_HISTORY_PARENT)
_KNOWN_COLUMNS = {
    "crm_accounts": {"account_id", "name", "domain", "industry", "region", "country", "employee_count",
                     "annual_revenue", "owner_id", "created_at", "updated_at", "is_deleted", "state"},
    "crm_contacts": {"contact_id", "email", "account_id", "owner_id", "lifecycle_stage", "lead_status",
                     "lead_score", "original_source", "created_at", "updated_at", "is_deleted", "became_lead_at",
                     "became_mql_at", "became_sql_at", "became_opportunity_at", "became_customer_at",
                     "first_name", "last_name", "title"},
}


def _error(status: int, message: str, code: str) -> Reply:
    """An error answer in Salesforce's shape: [{"message", "errorCode"}]."""
    return Reply(status, [{"message": message, "errorCode": code}])


def _sf_datetime(dt: datetime | None) -> str | None:
    """Salesforce's dateTime: UTC, milliseconds, `+0000` (2024-03-01T09:00:00.000+0000)."""
    return None if dt is None else dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def _sf_date(dt: datetime | date | None) -> str | None:
    return None if dt is None else dt.strftime("%Y-%m-%d")


def _second(dt: datetime) -> datetime:
    return dt.replace(microsecond=0)


def _label(value: Any) -> str | None:
    """`left_voicemail` → `Left Voicemail`: how a person would type it into Salesforce."""
    if value in (None, ""):
        return None
    return " ".join(w.capitalize() for w in str(value).replace("_", " ").split())


def _number(value: Any) -> float | int | None:
    if value in (None, ""):
        return None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _custom_field(column: str) -> str:
    return "_".join(p.capitalize() for p in column.split("_") if p) + "__c"


def stage_name(value: Any) -> str | None:
    """Salesforce's standard stage for a canonical (HubSpot-like or Salesforce) deal stage."""
    if value in (None, ""):
        return None
    raw = str(value).strip()
    return _STAGE_FROM_CANONICAL.get(_key(raw), raw)


def make_salesforce_id(prefix: str, n: int) -> str:
    """An 18-character Salesforce id: key prefix, pod, sequence, case-safety suffix."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    digits = ""
    while True:
        n, r = divmod(n, 62)
        digits = alphabet[r] + digits
        if n == 0:
            break
    base = prefix + "5g00000" + digits.rjust(5, "0")
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(base[chunk * 5: chunk * 5 + 5]) if "A" <= ch <= "Z")
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return base + suffix


# --- The translated org -------------------------------------------------------------------


class _Org:
    """An immutable snapshot of Salesforce records built from canonical tables."""

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]],
                 modified: Mapping[tuple[str, str], datetime], ids: dict[tuple[str, Any], str],
                 counters: dict[str, int], multi_currency: bool, custom: Mapping[str, Sequence[str]]):
        self._ids = ids
        self._counters = counters
        self._modified = modified
        self.multi_currency = multi_currency
        self.records: dict[str, dict[str, dict[str, Any]]] = {obj: {} for obj in _SCHEMA}
        self.fields: dict[str, dict[str, str]] = {}
        for obj, fields in _SCHEMA.items():
            names = dict(fields) | dict(_CUSTOM.get(obj, ()))
            if multi_currency and obj in _MULTI_CURRENCY:
                names["CurrencyIsoCode"] = "picklist"
            for extra in custom.get(obj, ()):
                names.setdefault(extra, "string")
            self.fields[obj] = names
        self._stage_history = self._histories(tables)
        self.person: dict[str, tuple[str, str | None]] = {}  # contact_id → (lead id, contact id)
        self._users(tables.get("crm_owners", ()))
        self._accounts(tables.get("crm_accounts", ()))
        account_names = {str(r["account_id"]): r.get("name") for r in tables.get("crm_accounts", ())}
        self._people(tables.get("crm_contacts", ()), account_names, tables.get("crm_deals", ()))
        self._opportunities(tables.get("crm_deals", ()), account_names)
        self._activities(tables.get("crm_activities", ()))
        self._campaigns(tables.get("crm_campaign_members", ()), tables.get("crm_contacts", ()))
        self.max_modstamp = max([_parse_time(r["SystemModstamp"]) for objs in self.records.values()
                                 for r in objs.values() if r.get("SystemModstamp")] + [DEFAULT_TIME])

    # --- ids and times -----------------------------------------------------------------

    def id(self, obj: str, key: Any) -> str:
        if (obj, key) not in self._ids:
            self._counters[obj] = self._counters.get(obj, 0) + 1
            self._ids[(obj, key)] = make_salesforce_id(_KEY_PREFIX[obj], self._counters[obj])
        return self._ids[(obj, key)]

    def _times(self, table: str, key: str, created: Any, updated: Any) -> tuple[datetime, datetime]:
        created_at = _parse_time(created)
        updated_at = self._modified.get((table, key)) or _parse_time(updated) or created_at or DEFAULT_TIME
        created_at = _second(created_at or updated_at)
        return created_at, _second(max(updated_at, created_at))

    def _add(self, obj: str, record_id: str, values: dict[str, Any], created: datetime, modified: datetime,
             deleted: bool = False) -> dict[str, Any]:
        record = {"Id": record_id, **values, "CreatedDate": _sf_datetime(created)}
        names = self.fields[obj]
        if "LastModifiedDate" in names:
            record["LastModifiedDate"] = _sf_datetime(modified)
        if "SystemModstamp" in names:
            record["SystemModstamp"] = _sf_datetime(modified)
        if "IsDeleted" in names:
            record["IsDeleted"] = deleted
        if "CurrencyIsoCode" in names:
            record.setdefault("CurrencyIsoCode", "USD")
        unknown = set(record) - set(names)
        if unknown:
            raise AssertionError(f"{obj} has no fields {sorted(unknown)}: fix the fake's schema")
        self.records[obj][record_id] = record
        return record

    @staticmethod
    def _customs(row: Mapping[str, Any], table: str) -> dict[str, Any]:
        """Unknown canonical columns become custom fields of the org (values as text)."""
        known = _KNOWN_COLUMNS.get(table, set())
        return {_custom_field(c): (None if v in (None, "") else str(v)) for c, v in row.items() if c not in known}

    @staticmethod
    def _histories(tables) -> dict[str, list[tuple[datetime, str]]]:
        history: dict[str, list[tuple[datetime, str]]] = {}
        for row in tables.get("crm_deal_stage_history", ()):
            entered, stage = _parse_time(row.get("entered_at")), stage_name(row.get("deal_stage"))
            if entered is not None and stage is not None:
                history.setdefault(str(row["deal_id"]), []).append((_second(entered), stage))
        return history

    # --- objects -----------------------------------------------------------------------

    def _users(self, rows) -> None:
        by_owner = {str(r["owner_id"]): r for r in rows}
        for row in rows:
            owner_id = str(row["owner_id"])
            created, modified = self._times("crm_owners", owner_id, row.get("created_at"), row.get("updated_at"))
            first, _, last = str(row.get("name") or "").strip().partition(" ")
            team = str(row.get("team") or "").strip()
            role_id = None
            if team:
                role_id = self.id("UserRole", team)
                self.records["UserRole"][role_id] = {"Id": role_id, "Name": _ROLES.get(team.lower(), _label(team)),
                                                     "SystemModstamp": _sf_datetime(DEFAULT_TIME)}
            manager = str(row.get("manager_id") or "")
            email = row.get("email") or f"user{owner_id}@example.com"
            self._add("User", self.id("User", owner_id), {
                "Username": f"{email}.touchline", "Name": str(row.get("name") or "").strip() or None,
                "FirstName": first or None, "LastName": last or first or "User", "Email": email,
                "Title": _ROLES.get(team.lower()) if team else None,
                "Department": {"sdr": "SDR"}.get(team.lower(), _label(team)) if team else None,
                "Division": row.get("region"), "UserRoleId": role_id,
                "ManagerId": self.id("User", manager) if manager in by_owner else None,
                "IsActive": not _truthy(row.get("is_deleted")), "UserType": "Standard",
            }, created, modified)

    def _user(self, owner_id: Any) -> str | None:
        return self.id("User", str(owner_id)) if owner_id not in (None, "") else None

    def _accounts(self, rows) -> None:
        for row in rows:
            key = str(row["account_id"])
            created, modified = self._times("crm_accounts", key, row.get("created_at"), row.get("updated_at"))
            domain = row.get("domain")
            values = {
                "Name": row.get("name") or f"Account {key}", "Website": f"www.{domain}" if domain else None,
                "Industry": row.get("industry"), "Type": "Prospect", "BillingCountry": row.get("country"),
                "BillingState": row.get("state"), "NumberOfEmployees": _number(row.get("employee_count")),
                "AnnualRevenue": _number(row.get("annual_revenue")), "OwnerId": self._user(row.get("owner_id")),
                "ParentId": None, "AccountSource": None, "Region__c": row.get("region"),
            }
            values.update({k: v for k, v in self._customs(row, "crm_accounts").items() if k in self.fields["Account"]})
            self._add("Account", self.id("Account", key), values, created, modified, _truthy(row.get("is_deleted")))

    def _people(self, rows, account_names: Mapping[str, Any], deals) -> None:
        first_deal: dict[str, tuple[datetime, str]] = {}
        for deal in deals:
            contact = str(deal.get("contact_id") or "")
            at = _parse_time(deal.get("created_at")) or DEFAULT_TIME
            if contact and (contact not in first_deal or at < first_deal[contact][0]):
                first_deal[contact] = (at, str(deal["deal_id"]))
        for row in rows:
            key = str(row["contact_id"])
            created, modified = self._times("crm_contacts", key, row.get("created_at"), row.get("updated_at"))
            deleted = _truthy(row.get("is_deleted"))
            stage = _key(row.get("lifecycle_stage"))
            account_key = str(row.get("account_id") or "")
            account_id = self.id("Account", account_key) if account_key in account_names else None
            email = row.get("email")
            local = str(email or "").split("@")[0].replace("_", ".").split(".")
            first = row.get("first_name") or (local[0].capitalize() if len(local) > 1 else None)
            last = row.get("last_name") or (local[-1].capitalize() if local[-1] else None) or "Unknown"
            name = f"{first} {last}" if first else last
            source = row.get("original_source")
            lead_source = _LEAD_SOURCE.get(_key(source), _label(source))
            person = {"FirstName": first, "LastName": last, "Name": name, "Email": email,
                      "OwnerId": self._user(row.get("owner_id")), "Title": row.get("title"),
                      "Lead_Score__c": _number(row.get("lead_score")),
                      "MQL_Date__c": _sf_datetime(_second(t)) if (t := _parse_time(row.get("became_mql_at"))) else None}
            person.update({k: v for k, v in self._customs(row, "crm_contacts").items() if k in self.fields["Lead"]})
            lead_id = self.id("Lead", key)
            converted = stage in _CONVERTED_STAGES
            lead = {**person, "Company": account_names.get(account_key) or (str(email).split("@")[-1] if email
                                                                           else "[not provided]"),
                    "LeadSource": lead_source, "Rating": None, "Industry": None, "Country": None,
                    "IsConverted": converted, "ConvertedDate": None, "ConvertedContactId": None,
                    "ConvertedAccountId": None, "ConvertedOpportunityId": None, "MasterRecordId": None}
            status = _key(row.get("lead_status"))
            if status in _CLOSED_NOT_CONVERTED:
                lead["Status"] = "Closed - Not Converted"
            elif status in _WORKING:
                lead["Status"] = "Working - Contacted"
            elif stage in _MQL_STAGES:
                lead["Status"] = "Marketing Qualified"
            else:
                lead["Status"] = "Open - Not Contacted"
            if not converted:
                self._add("Lead", lead_id, lead, created, modified, deleted)
                self.person[key] = (lead_id, None)
                continue
            converted_at = _second(next((t for t in (_parse_time(row.get(c)) for c in (
                "became_sql_at", "became_opportunity_at", "became_customer_at")) if t is not None), created))
            converted_at = max(converted_at, created)
            contact_id = self.id("Contact", key)
            deal = first_deal.get(key)
            lead.update(Status="Closed - Converted", ConvertedDate=_sf_date(converted_at),
                        ConvertedContactId=contact_id, ConvertedAccountId=account_id,
                        ConvertedOpportunityId=self.id("Opportunity", deal[1]) if deal else None)
            # A converted lead is read-only: it changed last when it was converted.
            self._add("Lead", lead_id, lead, created, converted_at)
            self._add("Contact", contact_id, {**person, "AccountId": account_id, "Department": None,
                                              "LeadSource": lead_source, "MailingCountry": None,
                                              "MasterRecordId": None},
                      converted_at, max(modified, converted_at), deleted)
            self.person[key] = (lead_id, contact_id)

    def _opportunities(self, rows, account_names: Mapping[str, Any]) -> None:
        for row in rows:
            key = str(row["deal_id"])
            created, modified = self._times("crm_deals", key, row.get("created_at"), row.get("updated_at"))
            deleted = _truthy(row.get("is_deleted"))
            stage = stage_name(row.get("deal_stage")) or "Prospecting"
            probability, forecast, is_closed, is_won = _STAGES.get(stage, (50, "Pipeline", False, False))
            closed = _parse_time(row.get("closed_at"))
            close_date = closed if closed else created + timedelta(days=90)
            account_key = str(row.get("account_id") or "")
            account_id = self.id("Account", account_key) if account_key in account_names else None
            contact = self.person.get(str(row.get("contact_id") or ""))
            owner = self._user(row.get("owner_id"))
            amount = _number(row.get("amount"))
            opportunity_id = self.id("Opportunity", key)
            currency = {"CurrencyIsoCode": row.get("currency") or "USD"} if self.multi_currency else {}
            lead_source = None
            if contact is not None:
                lead_source = self.records["Lead"].get(contact[0], {}).get("LeadSource")
            self._add("Opportunity", opportunity_id, {
                "Name": row.get("name") or f"{account_names.get(account_key) or 'Deal'} - {key}",
                "AccountId": account_id, "ContactId": contact[1] if contact else None, "OwnerId": owner,
                "StageName": stage, "Amount": amount, **currency, "Probability": probability,
                "ForecastCategoryName": forecast, "CloseDate": _sf_date(close_date), "IsClosed": is_closed,
                "IsWon": is_won, "Type": "New Business", "LeadSource": lead_source, "CampaignId": None,
                "Loss_Reason__c": row.get("lost_reason") if stage == "Closed Lost" else None,
            }, created, modified, deleted)
            entries = sorted(self._stage_history.get(key, []))
            if not entries or entries[0][0] > created:
                entries.insert(0, (created, entries[0][1] if entries else stage))
            if entries[-1][1] != stage:
                entries.append((max(modified, entries[-1][0]), stage))
            previous = None
            self._add("OpportunityFieldHistory", self.id("OpportunityFieldHistory", (key, "created")), {
                "OpportunityId": opportunity_id, "Field": "created", "OldValue": None, "NewValue": None,
                "DataType": "Text", "CreatedById": owner}, created, created, deleted)
            for at, entry_stage in entries:
                if entry_stage == previous:
                    continue
                p, f, _, _ = _STAGES.get(entry_stage, (50, "Pipeline", False, False))
                history_modified = modified if deleted else at
                self._add("OpportunityHistory", self.id("OpportunityHistory", (key, entry_stage, at)), {
                    "OpportunityId": opportunity_id, "StageName": entry_stage, "Amount": amount, **currency,
                    "CloseDate": _sf_date(close_date), "Probability": p, "ForecastCategory": _FORECAST_API[f],
                    "ExpectedRevenue": None if amount is None else _number(amount * p / 100),
                    "CreatedById": owner}, at, history_modified, deleted)
                if previous is not None:
                    self._add("OpportunityFieldHistory", self.id("OpportunityFieldHistory", (key, entry_stage, at)), {
                        "OpportunityId": opportunity_id, "Field": "StageName", "OldValue": previous,
                        "NewValue": entry_stage, "DataType": "DynamicEnum", "CreatedById": owner}, at, at, deleted)
                previous = entry_stage
            if is_won and account_id in self.records["Account"]:
                self.records["Account"][account_id]["Type"] = "Customer"

    def _activities(self, rows) -> None:
        for row in rows:
            key = str(row["activity_id"])
            kind = _key(row.get("activity_type"))
            if kind not in ("call", "email", "task", "note", "meeting"):
                continue
            occurred = _parse_time(row.get("occurred_at"))
            created, modified = self._times("crm_activities", key, row.get("created_at") or occurred,
                                            row.get("updated_at") or occurred)
            occurred = _second(occurred or created)
            lead_id, contact_id = self.person.get(str(row.get("contact_id") or ""), (None, None))
            deal_key = str(row.get("deal_id") or "")
            opportunity = self.records["Opportunity"].get(self.id("Opportunity", deal_key)) if deal_key else None
            contact = self.records["Contact"].get(contact_id) if contact_id else None
            who = contact_id or lead_id
            # Salesforce refuses a WhatId next to a lead WhoId.
            what = opportunity["Id"] if opportunity else (contact or {}).get("AccountId")
            if who == lead_id and lead_id is not None:
                what = None
            account = (opportunity or {}).get("AccountId") or (contact or {}).get("AccountId")
            common = {"WhoId": who, "WhatId": what, "AccountId": account, "OwnerId": self._user(row.get("owner_id")),
                      "ActivityDate": _sf_date(occurred), "IsArchived": False}
            direction, outcome = _key(row.get("direction")), row.get("outcome")
            deleted = _truthy(row.get("is_deleted"))
            if kind == "meeting":
                self._add("Event", self.id("Event", key), {
                    **common, "Subject": "Meeting", "Type": "Meeting", "EventSubtype": "Event",
                    "ActivityDateTime": _sf_datetime(occurred), "StartDateTime": _sf_datetime(occurred),
                    "EndDateTime": _sf_datetime(occurred + timedelta(minutes=30)), "DurationInMinutes": 30,
                    "IsAllDayEvent": False}, created, modified, deleted)
                continue
            done = kind != "task" or _key(outcome) in ("completed", "done")
            task = {**common, "Status": "Completed" if done else "Not Started", "IsClosed": done,
                    "CompletedDateTime": _sf_datetime(occurred) if done else None, "CallType": None,
                    "CallDisposition": None, "CallDurationInSeconds": None}
            if kind == "call":
                task.update(Subject="Call", Type="Call", TaskSubtype="Call",
                            CallType={"inbound": "Inbound", "outbound": "Outbound"}.get(direction),
                            CallDisposition=_label(outcome),
                            CallDurationInSeconds=300 if _key(outcome) == "connected" else 30)
            elif kind == "email":
                # Logged emails carry no direction field; Salesforce marks received ones in the subject.
                task.update(Subject="← Email: Re: Follow-up" if direction == "inbound" else "Email: Follow-up",
                            Type="Email", TaskSubtype="Email")
            elif kind == "note":
                task.update(Subject="Note", Type="Other", TaskSubtype="Task")
            else:
                task.update(Subject="Follow up", Type="Other", TaskSubtype="Task")
            self._add("Task", self.id("Task", key), task, created, modified, deleted)

    def _campaigns(self, rows, contacts) -> None:
        people = {str(r["contact_id"]): r for r in contacts}
        campaigns: dict[str, dict[str, Any]] = {}
        marketing = next((r["Id"] for r in self.records["User"].values() if r.get("Department") == "Marketing"), None)
        for row in rows:
            key = str(row["campaign_id"])
            person = people.get(str(row["contact_id"]))
            lead_id, contact_id = self.person.get(str(row["contact_id"]), (None, None))
            if person is None or lead_id is None:
                continue
            responded = _parse_time(row.get("responded_at"))
            member_key = (key, str(row["contact_id"]))
            joined = responded or person.get("created_at")
            created, modified = self._times("crm_campaign_members", "|".join(member_key), joined, joined)
            status = _label(row.get("member_status")) or "Sent"
            campaign = campaigns.setdefault(key, {"row": row, "first": created, "last": modified})
            campaign["first"], campaign["last"] = min(campaign["first"], created), max(campaign["last"], modified)
            self._add("CampaignMember", self.id("CampaignMember", member_key), {
                "CampaignId": self.id("Campaign", key), "LeadId": lead_id, "ContactId": contact_id,
                "Status": status, "HasResponded": responded is not None or _key(status) in ("responded", "attended"),
                "FirstRespondedDate": _sf_date(responded)}, created, modified, _truthy(person.get("is_deleted")))
        for key, campaign in campaigns.items():
            row = campaign["row"]
            kind = _key(row.get("campaign_type"))
            self._add("Campaign", self.id("Campaign", key), {
                "Name": row.get("campaign_name") or key, "Type": _CAMPAIGN_TYPES.get(kind, _label(kind) or "Other"),
                "Status": "In Progress", "StartDate": _sf_date(campaign["first"]), "EndDate": None,
                "IsActive": True, "ParentId": None, "OwnerId": marketing,
            }, campaign["first"], campaign["first"])

    # --- lookups -------------------------------------------------------------------------

    def find(self, record_id: str) -> tuple[str, dict] | None:
        prefix = record_id[:3]
        for obj, known in _KEY_PREFIX.items():
            if known == prefix and record_id in self.records[obj]:
                return obj, self.records[obj][record_id]
        return None


# --- SOQL --------------------------------------------------------------------------------

_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>[\w.]+)(?:\s+(?P<direction>ASC|DESC))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op>!=|<=|>=|=|<|>)\s*(?P<value>.+?)\s*$", re.DOTALL)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _no_such_column(soql: str, name: str, obj: str) -> Reply:
    column = soql.find(name) + 1
    return _error(400, f"\n{soql}\n{' ' * max(column - 1, 0)}^\nERROR at Row:1:Column:{column}\n"
                       f"No such column '{name}' on entity '{obj}'. If you are attempting to use a custom field, "
                       "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
                       "the describe call for the appropriate names.", "INVALID_FIELD")


class _Query:
    """A parsed SOQL statement, checked against the org's schema."""

    def __init__(self, soql: str, org: _Org):
        match = _QUERY.match(soql)
        if not match:
            raise _error(400, f"\n{soql}\n^\nERROR at Row:1:Column:1\nunexpected token: "
                              f"'{soql.split()[0] if soql.split() else ''}'", "MALFORMED_QUERY")
        obj = next((o for o in org.fields if o.lower() == match["object"].lower() and o != "UserRole"), None)
        if obj is None:
            raise _error(400, f"\n{soql}\n^\nERROR at Row:1:Column:1\nsObject type '{match['object']}' is not "
                              "supported. If you are attempting to use a custom object, be sure to append the '__c' "
                              "after the entity name. Please reference your WSDL or the describe call for the "
                              "appropriate names.", "INVALID_TYPE")
        self.object, self.org, self.soql = obj, org, soql
        self.fields = [self._field(f.strip()) for f in match["fields"].split(",")]
        self.conditions = [self._condition(c) for c in re.split(r"\s+AND\s+", match["where"], flags=re.IGNORECASE)
                           ] if match["where"] else []
        self.order = self._field(match["order"]) if match["order"] else None
        self.descending = (match["direction"] or "").upper() == "DESC"
        self.limit = int(match["limit"]) if match["limit"] else None

    def _field(self, name: str) -> tuple[str, ...]:
        if not re.fullmatch(r"\w+(\.\w+)?", name):
            raise _error(400, f"\n{self.soql}\nERROR at Row:1:Column:1\nunexpected token: '{name}'", "MALFORMED_QUERY")
        fields = self.org.fields[self.object]
        head, _, tail = name.partition(".")
        if tail:
            reference = next((f for f, (rel, _) in _REFERENCES.items() if rel.lower() == head.lower()
                              and f in fields), None)
            if reference is None:
                raise _error(400, f"\n{self.soql}\nERROR at Row:1:Column:1\nDidn't understand relationship '{head}' "
                                  "in field path. If you are attempting to use a custom relationship, be sure to "
                                  "append the '__r' after the custom relationship name. Please reference your WSDL "
                                  "or the describe call for the appropriate names.", "INVALID_FIELD")
            relationship, targets = _REFERENCES[reference]
            target_fields = {f.lower(): f for t in (targets or ()) for f in self.org.fields[t]}
            if tail.lower() not in target_fields:
                raise _no_such_column(self.soql, tail, (targets or ("Name",))[0])
            return reference, relationship, target_fields[tail.lower()]
        actual = next((f for f in fields if f.lower() == name.lower()), None)
        if actual is None:
            raise _no_such_column(self.soql, name, self.object)
        return (actual,)

    def _condition(self, text: str) -> tuple[str, str, Any]:
        match = _CONDITION.match(text)
        if not match:
            raise _error(400, f"\n{self.soql}\nERROR at Row:1:Column:1\nunexpected token: '{text}'", "MALFORMED_QUERY")
        field = self._field(match["field"])
        if len(field) > 1:
            raise _error(400, "relationship filters are not supported by this fake", "MALFORMED_QUERY")
        name, kind = field[0], self.org.fields[self.object][field[0]]
        if kind == "anyType":
            raise _error(400, f"\n{self.soql}\nERROR at Row:1:Column:1\nfield '{name}' can not be filtered in a "
                              "query call", "INVALID_FIELD")
        raw = match["value"]
        if kind == "datetime":
            if not _DATETIME.match(raw):
                raise _error(400, f"\n{self.soql}\nERROR at Row:1:Column:1\nvalue of filter criterion for field "
                                  f"'{name}' must be of type dateTime and should not be enclosed in quotes",
                             "INVALID_FIELD")
            value: Any = _parse_time(raw.replace("Z", "+00:00"))
        elif kind == "date":
            if not _DATE.match(raw):
                raise _error(400, f"\n{self.soql}\nERROR at Row:1:Column:1\nvalue of filter criterion for field "
                                  f"'{name}' must be of type date and should not be enclosed in quotes",
                             "INVALID_FIELD")
            value = raw
        elif raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        elif raw.lower() == "null":
            value = None
        elif raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
            value = raw[1:-1].replace("\\'", "'")
        else:
            try:
                value = float(raw)
            except ValueError:
                raise _error(400, f"\n{self.soql}\nERROR at Row:1:Column:1\nunexpected token: '{raw}'",
                             "MALFORMED_QUERY") from None
        return name, match["op"], value

    def _value(self, record: dict, name: str) -> Any:
        value = record.get(name)
        if self.org.fields[self.object].get(name) == "datetime" and value is not None:
            return _parse_time(value)
        return value

    def run(self, include_deleted: bool, version: str) -> list[dict]:
        tests = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
                 "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
        matched = []
        for record in self.org.records[self.object].values():
            if record.get("IsDeleted") and not include_deleted:
                continue
            keep = True
            for name, op, wanted in self.conditions:
                actual = self._value(record, name)
                if op in ("=", "!="):
                    keep = tests[op](actual, wanted)
                else:
                    keep = actual is not None and wanted is not None and tests[op](actual, wanted)
                if not keep:
                    break
            if keep:
                matched.append(record)
        if self.order is not None:
            name = self.order[0]
            present = [r for r in matched if r.get(name) is not None]
            missing = [r for r in matched if r.get(name) is None]
            present.sort(key=lambda r: (self._value(r, name), r["Id"]), reverse=self.descending)
            # Salesforce's defaults: ASC NULLS FIRST, DESC NULLS LAST.
            matched = present + missing if self.descending else missing + present
        else:
            matched.sort(key=lambda r: r["Id"])
        if self.limit is not None:
            matched = matched[: self.limit]
        return [self._shape(r, version) for r in matched]

    def _shape(self, record: dict, version: str) -> dict:
        url = f"/services/data/{version}/sobjects/{self.object}/{record['Id']}"
        shaped: dict[str, Any] = {"attributes": {"type": self.object, "url": url}}
        for field in self.fields:
            if len(field) == 1:
                shaped[field[0]] = record.get(field[0])
                continue
            reference, relationship, target_field = field
            target = self.org.find(record.get(reference) or "") if record.get(reference) else None
            if target is None:
                shaped.setdefault(relationship, None)
                continue
            target_obj, target_record = target
            nested = shaped.get(relationship) or {
                "attributes": {"type": target_obj,
                               "url": f"/services/data/{version}/sobjects/{target_obj}/{target_record['Id']}"}}
            nested[target_field] = target_record.get(target_field)
            shaped[relationship] = nested
        return shaped


# --- The server ---------------------------------------------------------------------------


class SalesforceServer(FakeApi):
    """A fake Salesforce org (REST API and OAuth token endpoint) on 127.0.0.1, port 0.

    Use as a context manager or call `start()` (returns the instance URL, which is also
    the login URL) and `stop()`; the request log and failure injection are FakeApi's
    (the SOQL is under "q" in the logged query, `request_bodies` holds the parsed form
    of token requests, None otherwise). `page_size` caps records per query page (tests
    make it small); `multi_currency` adds CurrencyIsoCode; `daily_limit` is the org's
    API request allowance.
    """

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], *, access_token: str = "demo-token",
                 client_id: str = "demo-client-id", client_secret: str = "demo-client-secret",
                 refresh_token: str = "demo-refresh-token", page_size: int = 2000, multi_currency: bool = True,
                 daily_limit: int = 15_000):
        unknown = {name for name in tables if name.startswith("crm_") and name not in TABLES}
        if unknown:
            raise ValueError(f"unknown canonical tables {sorted(unknown)}: expected some of {', '.join(TABLES)}")
        super().__init__()
        self.client_id, self.client_secret, self.refresh_token = client_id, client_secret, refresh_token
        self.page_size = page_size
        self.multi_currency = multi_currency
        self.daily_limit = daily_limit
        self.api_requests = 0
        self._tokens = {access_token}
        self._issued = itertools.count(1)
        self._tables = {name: [dict(r) for r in tables.get(name, ())] for name in TABLES}
        self._modified: dict[tuple[str, str], datetime] = {}
        self._ids: dict[tuple[str, Any], str] = {}
        self._counters: dict[str, int] = {}
        self._custom: dict[str, list[str]] = {}
        self._cursors: dict[str, tuple[list[dict], int]] = {}
        self._org = self._build()

    def _build(self) -> _Org:
        for table, obj_names in (("crm_contacts", ("Lead", "Contact")), ("crm_accounts", ("Account",))):
            for row in self._tables[table]:
                for column in row:
                    if column not in _KNOWN_COLUMNS[table]:
                        for obj in obj_names:
                            if _custom_field(column) not in self._custom.setdefault(obj, []):
                                self._custom[obj].append(_custom_field(column))
        return _Org(self._tables, self._modified, self._ids, self._counters, self.multi_currency, self._custom)

    instance_url = FakeApi.base_url

    # --- test controls --------------------------------------------------------------------

    @property
    def soql(self) -> list[str]:
        """The SOQL of every query and queryAll request, in order."""
        return [q["q"] for _, _, q in self.request_log if "q" in q]

    def records(self, obj: str, *, include_deleted: bool = True) -> list[dict]:
        """The org's records of `obj` (all fields), as the org holds them now."""
        return [dict(r) for r in self._org.records[obj].values() if include_deleted or not r.get("IsDeleted")]

    def salesforce_id(self, table: str, key: Any) -> str:
        """The id of the record a canonical row became (a contact: its Contact, or else its Lead)."""
        if table == "crm_contacts":
            lead_id, contact_id = self._org.person[str(key)]
            return contact_id or lead_id
        obj = {"crm_accounts": "Account", "crm_deals": "Opportunity", "crm_owners": "User"}.get(table)
        if obj is None:
            raise ValueError(f"no single Salesforce record for {table}")
        return self._ids[(obj, str(key))]

    def upsert(self, table_name: str, row: Mapping[str, Any]) -> None:
        """Change (merge into) or add a canonical row, as a user editing Salesforce would.

        The row's records get a SystemModstamp past every other record's. A deal stage
        change adds OpportunityHistory and OpportunityFieldHistory records; a contact
        reaching SQL converts its lead. A history row bumps its contact or deal.
        """
        with self._lock:
            if table_name in _HISTORY_PARENT:
                self._tables[table_name].append(dict(row))
                parent_table, id_column = _HISTORY_PARENT[table_name]
                self._bump(parent_table, str(row[id_column]))
            elif table_name in _KEYS:
                key = "|".join(str(row[k]) for k in _KEYS[table_name])
                current, before = merge_row(self._tables[table_name], row, _KEYS[table_name])
                at = self._bump(table_name, key)
                if table_name == "crm_contacts" and _key(row.get("lifecycle_stage")) in _CONVERTED_STAGES \
                        and not any(current.get(c) for c in ("became_sql_at", "became_opportunity_at",
                                                              "became_customer_at")):
                    current["became_sql_at"] = at
                stage_changed = row.get("deal_stage") and row["deal_stage"] != before.get("deal_stage")
                if table_name == "crm_deals" and stage_changed:
                    history = self._tables["crm_deal_stage_history"]
                    if not any(str(h.get("deal_id")) == key for h in history) and before:
                        opportunity = self._ids.get(("Opportunity", key))
                        for record in self._org.records["OpportunityHistory"].values():
                            if record["OpportunityId"] == opportunity:
                                history.append({"deal_id": key, "deal_stage": record["StageName"],
                                                "entered_at": record["CreatedDate"]})
                    history.append({"deal_id": key, "deal_stage": row["deal_stage"], "entered_at": at})
            else:
                raise ValueError(f"unknown canonical table {table_name!r}: expected one of {', '.join(TABLES)}")
            self._org = self._build()

    def _bump(self, table: str, key: str) -> datetime:
        at = max(_second(datetime.now(timezone.utc)), self._org.max_modstamp + timedelta(seconds=1))
        self._modified[(table, key)] = at
        return at

    def expire_tokens(self) -> None:
        """End every session, as the org's session timeout does: the next call gets a 401."""
        with self._lock:
            self._tokens.clear()

    # --- request handling -----------------------------------------------------------------

    def _logged_body(self, request: Request) -> Any:
        return request.form() if request.body else None

    def _route(self, request: Request) -> tuple[int, Any, Mapping[str, str]]:
        # Every /services/data answer carries the org's API usage, errors included.
        headers: dict[str, str] = {}
        try:
            status, payload = self._answer(request, headers)
        except Reply as reply:
            raise Reply(reply.status, reply.body, {**headers, **reply.headers}) from None
        return status, payload, headers

    def _answer(self, request: Request, headers: dict[str, str]) -> tuple[int, Any]:
        method, path, query = request.method, request.path, request.query
        parts = [p for p in path.split("/") if p]
        if method == "POST" and parts == ["services", "oauth2", "token"]:
            return self._token(request.form())
        if parts[:2] != ["services", "data"]:
            raise _error(404, "The requested resource does not exist", "NOT_FOUND")
        if method == "GET" and len(parts) == 2:
            return 200, [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in SUPPORTED_VERSIONS]
        self._require_bearer(request, self._tokens, lambda: _error(401, "Session expired or invalid",
                                                                    "INVALID_SESSION_ID"))
        with self._lock:
            self.api_requests += 1
            used = self.api_requests
            org = self._org
        headers["Sforce-Limit-Info"] = f"api-usage={min(used, self.daily_limit)}/{self.daily_limit}"
        if used > self.daily_limit:
            raise _error(403, "TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED")
        version = parts[2] if len(parts) > 2 else ""
        if not version.startswith("v") or version[1:] not in SUPPORTED_VERSIONS or method != "GET":
            raise _error(404, "The requested resource does not exist", "NOT_FOUND")
        rest = parts[3:]
        if rest and rest[0] in ("query", "queryAll"):
            if len(rest) == 1:
                if not query.get("q"):
                    raise _error(400, "A query string has to be specified", "MALFORMED_QUERY")
                return 200, self._query(org, query["q"], rest[0] == "queryAll", version, request)
            if len(rest) == 2:
                return 200, self._more(rest[1], version)
        if len(rest) == 3 and rest[0] == "sobjects" and rest[2] == "describe":
            return 200, self._describe(org, rest[1], version)
        raise _error(404, "The requested resource does not exist", "NOT_FOUND")

    def _token(self, form: dict[str, str]) -> tuple[int, Any]:
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "client_credentials"):
            return 400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
        if form.get("client_id") != self.client_id:
            return 400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
        if form.get("client_secret") != self.client_secret:
            return 400, {"error": "invalid_client", "error_description": "invalid client credentials"}
        if grant == "refresh_token" and form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant", "error_description": "expired access/refresh token"}
        token = f"{ORG_ID[:15]}!AQ{next(self._issued):04d}{uuid.uuid4().hex}"
        with self._lock:
            self._tokens.add(token)
        now = datetime.now(timezone.utc)
        return 200, {"access_token": token, "signature": uuid.uuid4().hex, "scope": "api refresh_token",
                     "instance_url": self.base_url, "id": f"{self.base_url}/id/{ORG_ID}/005000000000001AAA",
                     "token_type": "Bearer", "issued_at": str(int(now.timestamp() * 1000))}

    def _query(self, org: _Org, soql: str, include_deleted: bool, version: str, request: Request) -> dict:
        records = _Query(soql, org).run(include_deleted, version)
        with self._lock:
            locator = make_salesforce_id("01g", len(self._cursors) + 1)[:15]
            self._cursors[locator] = (records, self._batch_size(request))
        return self._page(locator, 0, version)

    def _batch_size(self, request: Request) -> int:
        options = request.headers.get("Sforce-Query-Options") or ""
        match = re.search(r"batchSize=(\d+)", options)
        asked = max(200, min(int(match.group(1)), 2000)) if match else 2000
        return max(1, min(asked, self.page_size))

    def _more(self, reference: str, version: str) -> dict:
        locator, _, offset = reference.rpartition("-")
        if locator not in self._cursors or not offset.isdigit():
            raise _error(400, "invalid query locator", "INVALID_QUERY_LOCATOR")
        return self._page(locator, int(offset), version)

    def _page(self, locator: str, offset: int, version: str) -> dict:
        records, size = self._cursors[locator]
        page = records[offset: offset + size]
        done = offset + size >= len(records)
        result: dict[str, Any] = {"totalSize": len(records), "done": done}
        if not done:
            result["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{offset + size}"
        result["records"] = page
        return result

    def _describe(self, org: _Org, name: str, version: str) -> dict:
        obj = next((o for o in org.fields if o.lower() == name.lower() and o != "UserRole"), None)
        if obj is None:
            raise _error(404, "The requested resource does not exist", "NOT_FOUND")
        fields = []
        for field, kind in org.fields[obj].items():
            relationship, targets = _REFERENCES.get(field, (None, None)) if kind == "reference" else (None, None)
            fields.append({"name": field, "type": kind, "label": _label(re.sub(r"(?<!^)(?=[A-Z])", " ", field)),
                           "custom": field.endswith("__c"), "nillable": field not in ("Id", "IsDeleted"),
                           "filterable": kind != "anyType", "sortable": True, "relationshipName": relationship,
                           "referenceTo": list(targets or ())})
        return {"name": obj, "label": _label(obj), "custom": False, "queryable": True, "retrieveable": True,
                "keyPrefix": _KEY_PREFIX[obj], "fields": fields,
                "urls": {"sobject": f"/services/data/{version}/sobjects/{obj}",
                         "describe": f"/services/data/{version}/sobjects/{obj}/describe"}}

    def _failure_body(self, status: int, retry_after: float | None) -> list[dict]:
        if status == 401:
            return [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        if status == 403:
            return [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        if status == 429:
            return [{"message": "Too many requests: try again later", "errorCode": "TOO_MANY_REQUESTS"}]
        if status == 503:
            return [{"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}]
        if status >= 500:
            return [{"message": f"An unexpected error occurred. Please include this ErrorId if you contact support: "
                                f"{uuid.uuid4().int % 10**9}-{uuid.uuid4().int % 10**5} (-{uuid.uuid4().int % 10**9})",
                     "errorCode": "UNKNOWN_EXCEPTION"}]
        return [{"message": "Bad request", "errorCode": "MALFORMED_QUERY"}]
