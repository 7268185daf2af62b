"""An opportunity-centric CRM export: accounts, deals with stage history, owners and
activities, and no contacts and no web events (tests/dbt/test_account_journeys.py
tells its story and works out every figure)."""

from __future__ import annotations


def deal(did, account, stage, amount, currency, created=None, closed=None, won=None, lost_reason=None):
    closed_flags = {} if won is None else {"is_closed": "true", "is_won": "true" if won else "false"}
    return {"deal_id": did, "account_id": account, "owner_id": "O1", "pipeline": "default", "deal_stage": stage,
            "amount": amount, "currency": currency, "created_at": created, "closed_at": closed,
            "lost_reason": lost_reason, **closed_flags}


def activity(aid, account, kind, at, direction=None):
    return {"activity_id": aid, "activity_type": kind, "direction": direction, "account_id": account,
            "owner_id": "O1", "occurred_at": at}


def account_rows() -> dict[str, list[dict]]:
    """The raw tables of the account-only world."""
    return {
        "crm_owners": [
            {"owner_id": "O1", "name": "Sam Seller", "email": "sam@touchline.example", "team": "sales"},
        ],
        "crm_accounts": [
            {"account_id": "A1", "name": "Acme", "employee_count": "250", "created_at": "2024-02-01T00:00:00Z"},
            {"account_id": "A2", "name": "Globex", "employee_count": "40", "created_at": "2024-02-01T00:00:00Z"},
            {"account_id": "A3", "name": "Initech", "employee_count": "5000", "created_at": "2024-02-01T00:00:00Z"},
            {"account_id": "A4", "name": "Umbrella", "created_at": "2024-02-01T00:00:00Z"},
            {"account_id": "A5", "name": "Hooli", "created_at": "2024-02-01T00:00:00Z"},
            {"account_id": "A6", "name": "Gone Ltd", "created_at": "2024-02-01T00:00:00Z", "is_deleted": "true"},
        ],
        "crm_deals": [
            deal("D1", "A1", "closedwon", "12000", "USD", "2024-03-01T10:00:00Z", "2024-03-21T10:00:00Z", True),
            # No created_at: the cycle starts at the earliest stage-history entry.
            deal("D2", "A2", "closedwon", "5000", "eur", None, "2024-04-20T12:00:00Z", True),
            deal("D3", "A3", "closedlost", "8000", "USD", "2024-03-10T09:00:00Z", "2024-04-09T09:00:00Z", False,
                 "budget"),
            deal("D4", "A3", "appointmentscheduled", "3000", "GBP", "2024-05-01T09:00:00Z"),
            deal("D5", "A4", "qualifiedtobuy", "2000", "EUR", "2024-04-01T00:00:00Z"),
            deal("D6", "A4", "closedlost", "1000", "USD", "2024-04-10T00:00:00Z", "2024-04-15T00:00:00Z", False),
            # Neither created_at nor stage history.
            deal("D7", "A2", "closedlost", "500", "USD", None, "2024-06-01T00:00:00Z", False),
            deal("D8", "A6", "closedwon", "999", "USD", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", True),
        ],
        "crm_deal_stage_history": [
            {"deal_id": "D1", "deal_stage": "appointmentscheduled", "entered_at": "2024-03-01T10:00:00Z"},
            {"deal_id": "D1", "deal_stage": "contractsent", "entered_at": "2024-03-11T10:00:00Z"},
            {"deal_id": "D1", "deal_stage": "closedwon", "entered_at": "2024-03-21T10:00:00Z"},
            {"deal_id": "D2", "deal_stage": "qualifiedtobuy", "entered_at": "2024-04-05T12:00:00Z"},
            {"deal_id": "D2", "deal_stage": "closedwon", "entered_at": "2024-04-20T12:00:00Z"},
            {"deal_id": "D5", "deal_stage": "qualifiedtobuy", "entered_at": "2024-04-01T00:00:00Z"},
            {"deal_id": "D5", "deal_stage": "presentationscheduled", "entered_at": "2024-05-15T00:00:00Z"},
        ],
        "crm_activities": [
            activity("ACT1", "A1", "call", "2024-02-20T10:00:00Z", "outbound"),
            activity("ACT2", "A1", "meeting", "2024-02-25T15:00:00Z"),
            activity("ACT3", "A1", "note", "2024-03-05T09:00:00Z"),
            activity("ACT4", "A2", "email", "2024-04-01T09:00:00Z", "outbound"),
            activity("ACT5", "A2", "email", "2024-04-02T09:00:00Z", "inbound"),
            activity("ACT6", "A3", "call", "2024-03-12T10:00:00Z", "outbound"),
            activity("ACT7", "A5", "call", "2024-06-10T10:00:00Z", "outbound"),
            activity("ACT8", "A6", "call", "2024-03-01T12:00:00Z", "outbound"),
        ],
    }
