"""A small hand-built Salesforce org as landed raw rows (salesforce_* tables).

The story, all in 2024 (UTC):
- Ann: a web lead (LeadSource Web) created 04-01 10:00, MQL (MQL_Date__c) 04-02 10:00,
  writes in at 12:00 (a received e-mail, subject '←'), an SDR calls her lead record at
  13:30; converted 04-03 (her contact created 15:00) into Acme with an opportunity
  that carries no ContactId. Prospecting 04-04 09:00, a discovery meeting 04-05, an
  amount change that repeats the stage, Closed Won 04-20 12:00.
- Bob: an unconverted lead from a webinar (Marketing Qualified, MQL 05-01 08:00), a
  campaign member who responded; a rep e-mails his lead record at 10:00.
- Cara: a cold-call lead (sales) converted 06-02 11:00 into Globex; her opportunity
  (ContactId set) is lost 06-20 16:00 for Price (Loss_Reason__c).
- Eve: a lead the SDR is working (Lead Status 'Working - Contacted'), no dates.
- Dan: a deleted lead.
Users: Sam (Department Sales), Sid (no department, role Sales Development Rep) and
Mia, a deactivated marketing user.
"""

from __future__ import annotations

from pathlib import Path

from connectors._shared.landing import land, rows_to_arrow
from connectors.salesforce.tables import spec

import raw_world


def sid(prefix: str, n: int) -> str:
    """An 18-character Salesforce-looking id with the object's key prefix."""
    return f"{prefix}{n:012d}AAA"


SAM, SID, MIA = sid("005", 1), sid("005", 2), sid("005", 3)
ACME, GLOBEX = sid("001", 1), sid("001", 2)
ANN_LEAD, BOB_LEAD, CARA_LEAD, EVE_LEAD, DAN_LEAD = (sid("00Q", n) for n in range(1, 6))
ANN, CARA = sid("003", 1), sid("003", 2)
ANN_OPP, CARA_OPP = sid("006", 1), sid("006", 2)
WEBINAR = sid("701", 1)


def _system(created: str, modified: str | None = None, deleted: bool = False) -> dict:
    modified = modified or created
    return {"created_date": created, "last_modified_date": modified, "system_modstamp": modified,
            "is_deleted": "true" if deleted else "false"}


def salesforce_rows() -> dict[str, list[dict]]:
    """The raw salesforce_* rows of the story above (Salesforce's text formats)."""
    t = "2024-{}T{}.000+0000".format
    return {
        "salesforce_users": [
            {"id": SAM, "name": "Sam Seller", "first_name": "Sam", "last_name": "Seller",
             "email": "Sam@touchline.example", "department": "Sales", "user_role_name": "Account Executive",
             "division": "EMEA", "is_active": "true", "created_date": t("01-01", "00:00:00"),
             "system_modstamp": t("01-01", "00:00:00")},
            {"id": SID, "name": "Sid Dev", "email": "sid@touchline.example",
             "user_role_name": "Sales Development Rep", "manager_id": SAM, "is_active": "true",
             "created_date": t("01-01", "00:00:00"), "system_modstamp": t("01-01", "00:00:00")},
            {"id": MIA, "name": "Mia Marketer", "email": "mia@touchline.example", "department": "Marketing",
             "is_active": "false", "created_date": t("01-01", "00:00:00"),
             "system_modstamp": t("03-01", "00:00:00")},
        ],
        "salesforce_accounts": [
            {"id": ACME, "name": "Acme", "website": "https://www.acme.com/about", "industry": "Software",
             "billing_country": "Germany", "billing_state": "Berlin", "number_of_employees": "250",
             "annual_revenue": "1500000", "owner_id": SAM, "region__c": "EMEA",
             **_system(t("04-03", "15:00:00"))},
            {"id": GLOBEX, "name": "Globex", "website": "globex.com", "billing_country": "United States",
             "billing_state": "CA", "owner_id": SAM, **_system(t("06-02", "11:00:00"))},
        ],
        "salesforce_leads": [
            {"id": ANN_LEAD, "first_name": "Ann", "last_name": "Alder", "email": " Ann@Acme.com ",
             "company": "Acme", "status": "Closed - Converted", "lead_source": "Web", "owner_id": SID,
             "is_converted": "true", "converted_date": "2024-04-03", "converted_contact_id": ANN,
             "converted_account_id": ACME, "converted_opportunity_id": ANN_OPP, "lead_score__c": "80",
             "mql_date__c": t("04-02", "10:00:00"), **_system(t("04-01", "10:00:00"), t("04-03", "15:00:00"))},
            {"id": BOB_LEAD, "first_name": "Bob", "last_name": "Birch", "email": "bob@initech.com",
             "company": "Initech", "status": "Marketing Qualified", "lead_source": "Webinar", "owner_id": SID,
             "is_converted": "false", "lead_score__c": "60", "mql_date__c": t("05-01", "08:00:00"),
             **_system(t("04-30", "08:00:00"), t("05-01", "08:00:00"))},
            {"id": CARA_LEAD, "first_name": "Cara", "last_name": "Cole", "email": "cara@globex.com",
             "company": "Globex", "status": "Closed - Converted", "lead_source": "Cold Call", "owner_id": SAM,
             "is_converted": "true", "converted_date": "2024-06-02", "converted_contact_id": CARA,
             "converted_account_id": GLOBEX, **_system(t("06-01", "09:00:00"), t("06-02", "11:00:00"))},
            {"id": EVE_LEAD, "last_name": "Eve", "email": "eve@hooli.com", "company": "Hooli",
             "status": "Working - Contacted", "lead_source": "Purchased List", "owner_id": SID,
             "is_converted": "false", **_system(t("07-01", "09:00:00"), t("07-02", "09:00:00"))},
            {"id": DAN_LEAD, "last_name": "Dan", "email": "dan@example.com", "company": "[not provided]",
             "status": "Open - Not Contacted", "is_converted": "false",
             **_system(t("02-01", "09:00:00"), t("02-10", "09:00:00"), deleted=True)},
        ],
        "salesforce_contacts": [
            # Ann's contact has no lead source, score or MQL date of its own: the lead's fill in.
            {"id": ANN, "first_name": "Ann", "last_name": "Alder", "email": "ann@acme.com", "account_id": ACME,
             "owner_id": SAM, **_system(t("04-03", "15:00:00"), t("04-20", "12:00:00"))},
            {"id": CARA, "first_name": "Cara", "last_name": "Cole", "email": "cara@globex.com",
             "account_id": GLOBEX, "owner_id": SAM, "lead_source": "Cold Call",
             **_system(t("06-02", "11:00:00"))},
        ],
        "salesforce_opportunities": [
            {"id": ANN_OPP, "name": "Acme - annual", "account_id": ACME, "owner_id": SAM,
             "stage_name": "Closed Won", "amount": "12000", "currency_iso_code": "eur", "probability": "100",
             "close_date": "2024-04-20", "is_closed": "true", "is_won": "true", "type": "New Business",
             **_system(t("04-04", "09:00:00"), t("04-20", "12:00:00"))},
            {"id": CARA_OPP, "name": "Globex - pilot", "account_id": GLOBEX, "contact_id": CARA, "owner_id": SAM,
             "stage_name": "Closed Lost", "amount": "5000", "probability": "0", "close_date": "2024-06-20",
             "is_closed": "true", "is_won": "false", "loss_reason__c": "Price",
             **_system(t("06-03", "10:00:00"), t("06-20", "16:00:00"))},
        ],
        "salesforce_opportunity_history": [
            {"id": sid("008", 1), "opportunity_id": ANN_OPP, "stage_name": "Prospecting", "amount": "10000",
             "created_date": t("04-04", "09:00:00"), "system_modstamp": t("04-04", "09:00:00"),
             "is_deleted": "false"},
            {"id": sid("008", 2), "opportunity_id": ANN_OPP, "stage_name": "Negotiation/Review", "amount": "10000",
             "created_date": t("04-10", "09:00:00"), "system_modstamp": t("04-10", "09:00:00"),
             "is_deleted": "false"},
            {"id": sid("008", 3), "opportunity_id": ANN_OPP, "stage_name": "Negotiation/Review", "amount": "12000",
             "created_date": t("04-12", "09:00:00"), "system_modstamp": t("04-12", "09:00:00"),
             "is_deleted": "false"},
            {"id": sid("008", 4), "opportunity_id": ANN_OPP, "stage_name": "Closed Won", "amount": "12000",
             "created_date": t("04-20", "12:00:00"), "system_modstamp": t("04-20", "12:00:00"),
             "is_deleted": "false"},
            {"id": sid("008", 5), "opportunity_id": CARA_OPP, "stage_name": "Prospecting", "amount": "5000",
             "created_date": t("06-03", "10:00:00"), "system_modstamp": t("06-03", "10:00:00"),
             "is_deleted": "false"},
            {"id": sid("008", 6), "opportunity_id": CARA_OPP, "stage_name": "Closed Lost", "amount": "5000",
             "created_date": t("06-20", "16:00:00"), "system_modstamp": t("06-20", "16:00:00"),
             "is_deleted": "false"},
        ],
        "salesforce_tasks": [
            {"id": sid("00T", 1), "subject": "← Email: Re: pricing", "type": "Email", "task_subtype": "Email",
             "status": "Completed", "who_id": ANN_LEAD, "owner_id": SID, "activity_date": "2024-04-02",
             "completed_date_time": t("04-02", "12:00:00"), "is_closed": "true",
             **_system(t("04-02", "12:00:00"))},
            {"id": sid("00T", 2), "subject": "Call", "type": "Call", "task_subtype": "Call", "status": "Completed",
             "who_id": ANN_LEAD, "owner_id": SID, "activity_date": "2024-04-02",
             "completed_date_time": t("04-02", "13:30:00"), "is_closed": "true", "call_type": "Outbound",
             "call_disposition": "Connected", "call_duration_in_seconds": "300",
             **_system(t("04-02", "13:30:00"))},
            # A to-do logged without a completion time: its ActivityDate and creation say when.
            {"id": sid("00T", 3), "subject": "Send proposal", "type": "Other", "task_subtype": "Task",
             "status": "Completed", "who_id": ANN, "what_id": ANN_OPP, "account_id": ACME, "owner_id": SAM,
             "activity_date": "2024-04-11", "is_closed": "true", **_system(t("04-11", "08:00:00"))},
            {"id": sid("00T", 4), "subject": "Email: Follow-up", "type": "Email", "task_subtype": "Email",
             "status": "Completed", "who_id": BOB_LEAD, "owner_id": SID, "activity_date": "2024-05-01",
             "completed_date_time": t("05-01", "10:00:00"), "is_closed": "true",
             **_system(t("05-01", "10:00:00"))},
            {"id": sid("00T", 5), "subject": "Call", "type": "Call", "task_subtype": "Call", "status": "Completed",
             "who_id": CARA, "what_id": GLOBEX, "owner_id": SAM, "activity_date": "2024-06-05",
             "completed_date_time": t("06-05", "14:00:00"), "is_closed": "true", "call_type": "Inbound",
             "call_disposition": "Left Voicemail", **_system(t("06-05", "14:00:00"))},
            {"id": sid("00T", 6), "subject": "Call", "type": "Call", "task_subtype": "Call", "status": "Completed",
             "who_id": EVE_LEAD, "owner_id": SID, "activity_date": "2024-07-02",
             "completed_date_time": t("07-02", "09:00:00"), "is_closed": "true", "call_type": "Outbound",
             "call_disposition": "No Answer", **_system(t("07-02", "09:00:00"), deleted=True)},
        ],
        "salesforce_events": [
            {"id": sid("00U", 1), "subject": "Discovery", "type": "Meeting", "event_subtype": "Event",
             "who_id": ANN, "what_id": ANN_OPP, "account_id": ACME, "owner_id": SAM,
             "activity_date": "2024-04-05", "activity_date_time": t("04-05", "09:00:00"),
             "start_date_time": t("04-05", "09:00:00"), "end_date_time": t("04-05", "09:30:00"),
             "duration_in_minutes": "30", "is_all_day_event": "false", "is_archived": "false",
             **_system(t("04-04", "16:00:00"))},
        ],
        "salesforce_campaigns": [
            {"id": WEBINAR, "name": "Webinar: From MQL to revenue", "type": "Webinar", "status": "Completed",
             "start_date": "2024-04-30", "is_active": "true", "owner_id": MIA, **_system(t("04-01", "00:00:00"))},
        ],
        "salesforce_campaign_members": [
            {"id": sid("00v", 1), "campaign_id": WEBINAR, "lead_id": BOB_LEAD, "status": "Attended",
             "has_responded": "true", "first_responded_date": "2024-04-30", **_system(t("04-30", "07:30:00"))},
            # Ann registered while a lead: the member names only her lead, converted since.
            {"id": sid("00v", 2), "campaign_id": WEBINAR, "lead_id": ANN_LEAD, "status": "Registered",
             "has_responded": "false", **_system(t("04-20", "00:00:00"))},
        ],
    }


def write_salesforce_world(path: Path, rows: dict[str, list[dict]] | None = None) -> None:
    """Create the raw DuckDB at `path` and land `rows` (default: the story) as the connector would.

    Landing, not a plain insert: the custom fields (lead_score__c, mql_date__c,
    loss_reason__c, region__c) are columns beyond the spec, which only the loader
    adds to raw, and every row passes the landing's rules (nothing is quarantined).
    """
    con = raw_world.create_raw_db(path)
    try:
        for table, table_rows in (rows or salesforce_rows()).items():
            s = spec(table)
            result = land(con, s, rows_to_arrow(table_rows, list(s.columns)), load_id="test", source="salesforce")
            assert result.quarantined == 0, f"{table}: {result}"
    finally:
        con.close()
