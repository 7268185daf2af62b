"""A local HubSpot CRM API on 127.0.0.1 serving canonical tables, for the demo and tests.

`HubSpotServer(tables)` translates the canonical CRM tables (CONTRACT.md section 1,
as Python rows keyed crm_accounts, crm_contacts, crm_contact_stage_history, crm_deals,
crm_deal_stage_history, crm_activities, crm_owners) into HubSpot objects and answers
the endpoints the connector uses, with HubSpot's shapes and limits:

- GET  /crm/v3/objects/{type}: limit (default 10, at most 100; a 400 above 50 when
  propertiesWithHistory is asked), after (opaque cursor), properties,
  propertiesWithHistory, associations, archived (archived objects only, as HubSpot).
- POST /crm/v3/objects/{type}/search: filterGroups (EQ, NEQ, GT, GTE, LT, LTE,
  BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY), sorts, properties, limit (at
  most 200), after; a 400 for after >= the 10,000-result window (`search_cap`).
- POST /crm/v3/objects/{type}/batch/read: at most 100 inputs, 50 with
  propertiesWithHistory; 207 with errors for ids it cannot find.
- POST /crm/v4/associations/{from}/{to}/batch/read: at most 1,000 inputs; 207 with
  errors for ids without associations.
- GET  /crm/v3/owners: limit (default 100, at most 500), after, archived.

Every request needs `Authorization: Bearer <token>` (401 with HubSpot's error body
otherwise). Timestamps are ISO 8601 with milliseconds and Z; property values are
strings. `fail_next` (FakeApi's) injects 429/5xx/401 answers or a truncated body;
`upsert` changes a canonical row and bumps its modified time past every other object's.
"""

from __future__ import annotations

import base64
import json
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from connectors._shared.values import text
from connectors.demo.fakes.base import FakeApi, Reply, Request
from connectors.demo.fakes.canonical import key as _key
from connectors.demo.fakes.canonical import merge_row
from connectors.demo.fakes.canonical import parse_time as _parse_time
from connectors.demo.fakes.canonical import truthy as _truthy
from connectors.files.tables import FILE_BY_NAME

# When a canonical row says nothing about time, objects were "created" here.
DEFAULT_TIME = datetime(2020, 1, 1, tzinfo=timezone.utc)

CRM_TYPES = ("companies", "contacts", "deals", "calls", "emails", "meetings", "notes", "tasks")
ENGAGEMENT_TYPES = ("calls", "emails", "meetings", "notes", "tasks")
# HubSpot also accepts object type ids in paths.
TYPE_IDS = {"0-1": "contacts", "0-2": "companies", "0-3": "deals", "0-48": "calls", "0-49": "emails",
            "0-47": "meetings", "0-46": "notes", "0-27": "tasks"}
SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal", "calls": "call",
            "emails": "email", "meetings": "meeting_event", "notes": "note", "tasks": "task"}
MODIFIED_PROPERTY = {t: "hs_lastmodifieddate" for t in CRM_TYPES} | {"contacts": "lastmodifieddate"}
CREATED_PROPERTY = {t: "hs_createdate" for t in ENGAGEMENT_TYPES} | {
    "contacts": "createdate", "companies": "createdate", "deals": "createdate"}
# Returned on every object whatever `properties` asks for, as HubSpot does.
ALWAYS_RETURNED = {t: ("hs_object_id", CREATED_PROPERTY[t], MODIFIED_PROPERTY[t]) for t in CRM_TYPES}
# Returned when a request names no properties at all.
DEFAULT_PROPERTIES = {
    "contacts": ("firstname", "lastname", "email"),
    "companies": ("name", "domain"),
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
} | {t: ("hs_timestamp",) for t in ENGAGEMENT_TYPES}
DATETIME_PROPERTIES = {
    "createdate", "lastmodifieddate", "hs_lastmodifieddate", "hs_createdate", "closedate", "hs_timestamp",
    "hs_lifecyclestage_lead_date", "hs_lifecyclestage_marketingqualifiedlead_date",
    "hs_lifecyclestage_salesqualifiedlead_date", "hs_lifecyclestage_opportunity_date",
    "hs_lifecyclestage_customer_date",
}

LIFECYCLE_STAGES = {"mql": "marketingqualifiedlead", "sql": "salesqualifiedlead"}
BECAME_COLUMNS = {"lead": "became_lead_at", "marketingqualifiedlead": "became_mql_at",
                  "salesqualifiedlead": "became_sql_at", "opportunity": "became_opportunity_at",
                  "customer": "became_customer_at"}
DEAL_STAGES = {"closed_won": "closedwon", "won": "closedwon", "closed_lost": "closedlost", "lost": "closedlost"}
# HubSpot's default call outcomes are GUIDs.
CALL_DISPOSITIONS = {
    "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",
    "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    "left_live_message": "a4c4c377-d246-4b32-a13b-75a56a4cd0ff",
    "left_voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
    "voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
    "wrong_number": "17b47fee-58de-441e-a44c-c6300d46f273",
}
# HubSpot's fixed enumerations; other canonical outcomes map to the closest value.
MEETING_OUTCOMES = {"scheduled": "SCHEDULED", "completed": "COMPLETED", "rescheduled": "RESCHEDULED",
                    "no_show": "NO_SHOW", "canceled": "CANCELED", "cancelled": "CANCELED"}
TASK_STATUSES = {"completed": "COMPLETED", "done": "COMPLETED", "in_progress": "IN_PROGRESS",
                 "waiting": "WAITING", "deferred": "DEFERRED"}
ACTIVITY_OBJECT = {"call": "calls", "meeting": "meetings", "email": "emails", "note": "notes", "task": "tasks"}

# HUBSPOT_DEFINED association type ids and labels, per (from, to).
_PAIR_TYPES: dict[tuple[str, str], tuple[tuple[int, str | None], ...]] = {
    ("contacts", "companies"): ((1, "Primary"), (279, None)),
    ("companies", "contacts"): ((2, "Primary"), (280, None)),
    ("deals", "contacts"): ((3, None),), ("contacts", "deals"): ((4, None),),
    ("deals", "companies"): ((5, "Primary"), (341, None)),
    ("companies", "deals"): ((6, "Primary"), (342, None)),
}
for _engagement, (_to_contact, _to_company, _to_deal) in {
    "calls": (194, 182, 206), "emails": (198, 186, 210), "meetings": (200, 188, 212),
    "notes": (202, 190, 214), "tasks": (204, 192, 216),
}.items():
    _PAIR_TYPES[(_engagement, "contacts")] = ((_to_contact, None),)
    _PAIR_TYPES[("contacts", _engagement)] = ((_to_contact - 1, None),)
    _PAIR_TYPES[(_engagement, "companies")] = ((_to_company, None),)
    _PAIR_TYPES[("companies", _engagement)] = ((_to_company - 1, None),)
    _PAIR_TYPES[(_engagement, "deals")] = ((_to_deal, None),)
    _PAIR_TYPES[("deals", _engagement)] = ((_to_deal - 1, None),)

_KEYS = {"crm_accounts": "account_id", "crm_contacts": "contact_id", "crm_deals": "deal_id",
         "crm_activities": "activity_id", "crm_owners": "owner_id"}
_HISTORY_PARENT = {"crm_contact_stage_history": ("crm_contacts", "contact_id"),
                   "crm_deal_stage_history": ("crm_deals", "deal_id")}
TABLES = (*_KEYS, *_HISTORY_PARENT)


def _error(status: int, message: str, category: str, **extra: Any) -> Reply:
    """An error answer in HubSpot's shape."""
    return Reply(status, {"status": "error", "message": message, "category": category, **extra,
                          "correlationId": str(uuid.uuid4())})


# --- Canonical values → HubSpot values -------------------------------------------------


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _millis(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def _text(value: Any) -> str | None:
    """A canonical value as a HubSpot property value (times as HubSpot's ISO 8601)."""
    if isinstance(value, (datetime, date)):
        return _iso(_parse_time(value))
    return text(value)


def _bool_text(value: Any) -> str | None:
    return None if value is None or value == "" else ("true" if _truthy(value) else "false")


def _lifecycle_stage(value: Any) -> str | None:
    return None if value in (None, "") else LIFECYCLE_STAGES.get(_key(value), str(value).strip().lower())


def _deal_stage(value: Any) -> str | None:
    return None if value in (None, "") else DEAL_STAGES.get(_key(value), str(value).strip())


def _id_order(object_id: str) -> tuple[int, int, str]:
    return (0, int(object_id), "") if object_id.isdigit() else (1, 0, object_id)


def _encode_cursor(object_id: str) -> str:
    return base64.urlsafe_b64encode(object_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise _error(400, f"Invalid paging cursor '{cursor}'", "VALIDATION_ERROR") from None


# --- The translated portal -------------------------------------------------------------


class _Portal:
    """An immutable snapshot of HubSpot objects built from canonical tables."""

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], modified: Mapping[tuple[str, str], datetime]):
        self.objects: dict[str, dict[str, dict]] = {t: {} for t in CRM_TYPES}
        self.edges: dict[tuple[str, str], dict[str, list[str]]] = {}
        self.owners: dict[str, dict] = {}
        self._modified = modified
        self._history = self._histories(tables)
        for row in tables.get("crm_accounts", ()):
            self._company(row)
        for row in tables.get("crm_contacts", ()):
            self._contact(row)
        for row in tables.get("crm_deals", ()):
            self._deal(row)
        for row in tables.get("crm_activities", ()):
            self._activity(row)
        teams = sorted({str(r["team"]) for r in tables.get("crm_owners", ()) if r.get("team")})
        for row in tables.get("crm_owners", ()):
            self._owner(row, teams)
        self.order = {t: sorted(objs, key=_id_order) for t, objs in self.objects.items()}
        self.owner_order = sorted(self.owners, key=_id_order)
        self.max_modified = max(
            [o["_updated"] for objs in self.objects.values() for o in objs.values()]
            + [o["_updated"] for o in self.owners.values()] + [DEFAULT_TIME])

    @staticmethod
    def _histories(tables) -> dict[tuple[str, str], list[tuple[datetime, str]]]:
        history: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
        for table, id_column, stage_column, translate in (
            ("crm_contact_stage_history", "contact_id", "lifecycle_stage", _lifecycle_stage),
            ("crm_deal_stage_history", "deal_id", "deal_stage", _deal_stage),
        ):
            for row in tables.get(table, ()):
                entered, stage = _parse_time(row.get("entered_at")), translate(row.get(stage_column))
                if entered is not None and stage is not None:
                    history.setdefault((table, str(row[id_column])), []).append((entered, stage))
        return history

    def _times(self, table: str, object_id: str, created: Any, updated: Any) -> tuple[datetime, datetime]:
        created_at = _parse_time(created)
        updated_at = self._modified.get((table, object_id)) or _parse_time(updated) or created_at or DEFAULT_TIME
        return created_at or updated_at, updated_at

    def _add(self, object_type: str, table: str, row: Mapping[str, Any], object_id: str, created: datetime,
             updated: datetime, properties: dict[str, str | None], history: dict[str, list[dict]] | None = None):
        known = set(FILE_BY_NAME[table].columns)
        for column, value in row.items():
            # Unknown canonical columns become custom properties of the portal.
            name = _key(column)
            if column not in known and name not in properties:
                properties[name] = _text(value)
        properties.update({"hs_object_id": object_id, CREATED_PROPERTY[object_type]: _iso(created),
                           MODIFIED_PROPERTY[object_type]: _iso(updated)})
        archived = _truthy(row.get("is_deleted"))
        self.objects[object_type][object_id] = {
            "id": object_id, "properties": properties, "createdAt": _iso(created), "updatedAt": _iso(updated),
            "archived": archived, "archivedAt": _iso(updated) if archived else None,
            "history": history or {}, "_updated": updated,
        }

    def _link(self, from_type: str, from_id: str, to_type: str, to_id: Any) -> None:
        if to_id in (None, ""):
            return
        self.edges.setdefault((from_type, to_type), {}).setdefault(from_id, []).append(str(to_id))
        self.edges.setdefault((to_type, from_type), {}).setdefault(str(to_id), []).append(from_id)

    def _stage_history(self, table: str, object_id: str, current: str | None, current_at: datetime) -> list[dict]:
        entries = sorted(self._history.get((table, object_id), []), key=lambda e: e[0], reverse=True)
        # HubSpot's history always ends with the value the property holds now.
        if current is not None and (not entries or entries[0][1] != current):
            entries.insert(0, (max(current_at, entries[0][0]) if entries else current_at, current))
        return [{"value": stage, "timestamp": _iso(at), "sourceType": "CRM_UI"} for at, stage in entries]

    def _company(self, row: Mapping[str, Any]) -> None:
        object_id = str(row["account_id"])
        created, updated = self._times("crm_accounts", object_id, row.get("created_at"), row.get("updated_at"))
        properties = {
            "name": _text(row.get("name")), "domain": _text(row.get("domain")),
            "industry": _text(row.get("industry")), "country": _text(row.get("country")),
            "state": _text(row.get("state")), "region": _text(row.get("region")),
            "numberofemployees": _text(row.get("employee_count")),
            "annualrevenue": _text(row.get("annual_revenue")),
            "hubspot_owner_id": _text(row.get("owner_id")),
        }
        self._add("companies", "crm_accounts", row, object_id, created, updated, properties)

    def _contact(self, row: Mapping[str, Any]) -> None:
        object_id = str(row["contact_id"])
        created, updated = self._times("crm_contacts", object_id, row.get("created_at"), row.get("updated_at"))
        stage = _lifecycle_stage(row.get("lifecycle_stage"))
        properties = {
            "email": _text(row.get("email")), "firstname": _text(row.get("first_name")),
            "lastname": _text(row.get("last_name")), "associatedcompanyid": _text(row.get("account_id")),
            "hubspot_owner_id": _text(row.get("owner_id")), "lifecyclestage": stage,
            "hs_lead_status": _text(row.get("lead_status")), "hubspotscore": _text(row.get("lead_score")),
            "hs_analytics_source": _text(row.get("original_source")),
        }
        for hubspot_stage, column in BECAME_COLUMNS.items():
            properties[f"hs_lifecyclestage_{hubspot_stage}_date"] = _iso(_parse_time(row.get(column)))
        stage_at = _parse_time(row.get(BECAME_COLUMNS.get(stage or "", ""))) or created
        history = {"lifecyclestage": self._stage_history("crm_contact_stage_history", object_id, stage, stage_at)}
        self._add("contacts", "crm_contacts", row, object_id, created, updated, properties, history)
        self._link("contacts", object_id, "companies", row.get("account_id"))

    def _deal(self, row: Mapping[str, Any]) -> None:
        object_id = str(row["deal_id"])
        created, updated = self._times("crm_deals", object_id, row.get("created_at"), row.get("updated_at"))
        stage = _deal_stage(row.get("deal_stage"))
        is_closed = _bool_text(row.get("is_closed"))
        is_won = _bool_text(row.get("is_won"))
        properties = {
            "dealname": _text(row.get("name") or row.get("deal_name")) or f"Deal {object_id}",
            "pipeline": _text(row.get("pipeline")) or "default", "dealstage": stage,
            "amount": _text(row.get("amount")), "deal_currency_code": _text(row.get("currency")),
            "closedate": _iso(_parse_time(row.get("closed_at"))),
            "hs_is_closed": is_closed or ("true" if stage in ("closedwon", "closedlost") else "false"),
            "hs_is_closed_won": is_won or ("true" if stage == "closedwon" else "false"),
            "closed_lost_reason": _text(row.get("lost_reason")),
            "hubspot_owner_id": _text(row.get("owner_id")),
        }
        history = {"dealstage": self._stage_history("crm_deal_stage_history", object_id, stage, created)}
        self._add("deals", "crm_deals", row, object_id, created, updated, properties, history)
        self._link("deals", object_id, "companies", row.get("account_id"))
        self._link("deals", object_id, "contacts", row.get("contact_id"))

    def _activity(self, row: Mapping[str, Any]) -> None:
        object_id = str(row["activity_id"])
        object_type = ACTIVITY_OBJECT.get(_key(row.get("activity_type")))
        if object_type is None:
            return
        occurred = _parse_time(row.get("occurred_at"))
        created, updated = self._times("crm_activities", object_id, row.get("created_at") or occurred,
                                       row.get("updated_at") or occurred)
        direction, outcome = _key(row.get("direction") or ""), row.get("outcome")
        properties: dict[str, str | None] = {"hs_timestamp": _iso(occurred),
                                             "hubspot_owner_id": _text(row.get("owner_id"))}
        if object_type == "calls":
            properties["hs_call_direction"] = {"inbound": "INBOUND", "outbound": "OUTBOUND"}.get(direction)
            properties["hs_call_disposition"] = (CALL_DISPOSITIONS.get(_key(outcome), _text(outcome))
                                                 if outcome else None)
            properties["hs_call_status"] = "COMPLETED"
        elif object_type == "emails":
            properties["hs_email_direction"] = {"inbound": "INCOMING_EMAIL", "outbound": "EMAIL"}.get(direction)
        elif object_type == "meetings":
            properties["hs_meeting_outcome"] = (MEETING_OUTCOMES.get(_key(outcome), _key(outcome).upper())
                                                if outcome else None)
        elif object_type == "tasks":
            properties["hs_task_status"] = TASK_STATUSES.get(_key(outcome or ""), "NOT_STARTED")
            properties["hs_task_type"] = "TODO"
        self._add(object_type, "crm_activities", row, object_id, created, updated, properties)
        self._link(object_type, object_id, "contacts", row.get("contact_id"))
        self._link(object_type, object_id, "companies", row.get("account_id"))
        self._link(object_type, object_id, "deals", row.get("deal_id"))

    def _owner(self, row: Mapping[str, Any], teams: list[str]) -> None:
        owner_id = str(row["owner_id"])
        created, updated = self._times("crm_owners", owner_id, row.get("created_at"), row.get("updated_at"))
        first, _, last = str(row.get("name") or "").strip().partition(" ")
        team = row.get("team")
        self.owners[owner_id] = {
            "id": owner_id, "email": _text(row.get("email")), "type": "PERSON",
            "firstName": first or None, "lastName": last or None,
            "userId": int(owner_id) + 1_000_000 if owner_id.isdigit() else zlib.crc32(owner_id.encode()) % 10**8,
            "createdAt": _iso(created), "updatedAt": _iso(updated), "archived": _truthy(row.get("is_deleted")),
            "teams": [{"id": str(1000 + teams.index(str(team))), "name": str(team), "primary": True}] if team else [],
            "_updated": updated,
        }

    # --- public shapes ----------------------------------------------------------------

    def public(self, object_type: str, obj: dict, properties: Sequence[str] | None,
               with_history: Sequence[str] = (), associations: Sequence[str] = ()) -> dict:
        names = list(DEFAULT_PROPERTIES[object_type] if properties is None else properties)
        values = obj["properties"]
        shown = {n: values[n] for n in [*names, *ALWAYS_RETURNED[object_type]] if n in values}
        result: dict[str, Any] = {"id": obj["id"], "properties": shown, "createdAt": obj["createdAt"],
                                  "updatedAt": obj["updatedAt"], "archived": obj["archived"]}
        if obj["archived"]:
            result["archivedAt"] = obj["archivedAt"]
        history = {}
        for name in with_history:
            if name in obj["history"]:
                history[name] = obj["history"][name]
            elif name in values:
                current = values[name]
                history[name] = ([] if current is None else
                                 [{"value": current, "timestamp": obj["updatedAt"], "sourceType": "CRM_UI"}])
        if with_history:
            result["propertiesWithHistory"] = history
        linked = {}
        for to_type in associations:
            to_ids = self.edges.get((object_type, to_type), {}).get(obj["id"], [])
            entries = [{"id": to_id, "type": label} for to_id in to_ids for label in _v3_labels(object_type, to_type)]
            if entries:
                linked[to_type] = {"results": entries}
        if linked:
            result["associations"] = linked
        return result


def _v3_labels(from_type: str, to_type: str) -> list[str]:
    base = f"{SINGULAR[from_type]}_to_{SINGULAR[to_type]}"
    types = _PAIR_TYPES.get((from_type, to_type), ((0, None),))
    has_primary = any(label == "Primary" for _, label in types)
    return [base if label == "Primary" or not has_primary else f"{base}_unlabeled" for _, label in types]


# --- Filtering and sorting for search --------------------------------------------------


def _comparable(prop: str, value: Any) -> tuple[int, Any] | None:
    if value is None or value == "":
        return None
    if prop in DATETIME_PROPERTIES:
        return (0, _millis(_parse_time(value)))
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (1, str(value).lower())


def _matches(obj: dict, f: Mapping[str, Any]) -> bool:
    prop, operator = f.get("propertyName"), str(f.get("operator", "EQ")).upper()
    actual = _comparable(prop, obj["properties"].get(prop))
    if operator == "HAS_PROPERTY":
        return actual is not None
    if operator == "NOT_HAS_PROPERTY":
        return actual is None
    if operator in ("IN", "NOT_IN"):
        wanted = {_comparable(prop, v) for v in f.get("values") or []}
        return (actual in wanted) == (operator == "IN")
    try:
        wanted = _comparable(prop, f.get("value"))
        high = _comparable(prop, f.get("highValue")) if operator == "BETWEEN" else None
    except ValueError:
        raise _error(400, f"Invalid value for property {prop}: {f.get('value')!r}", "VALIDATION_ERROR") from None
    if operator == "NEQ":
        return actual != wanted
    if actual is None or wanted is None or actual[0] != wanted[0]:
        return False
    tests: dict[str, Callable[[], bool]] = {
        "EQ": lambda: actual == wanted, "GT": lambda: actual > wanted, "GTE": lambda: actual >= wanted,
        "LT": lambda: actual < wanted, "LTE": lambda: actual <= wanted,
        "BETWEEN": lambda: high is not None and wanted <= actual <= high,
    }
    if operator not in tests:
        raise _error(400, f"Unsupported filter operator {operator}", "VALIDATION_ERROR")
    return tests[operator]()


def _sort_rules(sorts: Iterable[Any]) -> list[tuple[str, bool]]:
    rules = []
    for rule in sorts or []:
        if isinstance(rule, str):
            rules.append((rule.lstrip("-"), rule.startswith("-")))
        else:
            rules.append((rule.get("propertyName"), str(rule.get("direction", "ASCENDING")).upper() == "DESCENDING"))
    return rules


# --- The server --------------------------------------------------------------------------


class HubSpotServer(FakeApi):
    """A fake HubSpot CRM API on 127.0.0.1 (port 0) serving canonical tables.

    Use as a context manager or call `start()` (returns the base URL) and `stop()`;
    the request log and failure injection are FakeApi's. `search_cap` is HubSpot's
    10,000-result search window; tests make it small.
    """

    content_type = "application/json;charset=utf-8"

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], token: str = "demo-token", *,
                 search_cap: int = 10_000):
        # A whole demo world may be passed: ads, web and campaign tables are not HubSpot's.
        unknown = {name for name in tables if name.startswith("crm_") and name not in TABLES} - {
            "crm_campaign_members"}
        if unknown:
            raise ValueError(f"unknown canonical tables {sorted(unknown)}: expected some of {', '.join(TABLES)}")
        super().__init__()
        self.token = token
        self.search_cap = search_cap
        self._tables = {name: [dict(r) for r in tables.get(name, ())] for name in TABLES}
        self._modified: dict[tuple[str, str], datetime] = {}
        self._portal = _Portal(self._tables, self._modified)

    # --- test controls --------------------------------------------------------------------

    def upsert(self, table_name: str, row: Mapping[str, Any]) -> None:
        """Change (merge into) or add a canonical row, as a user editing HubSpot would.

        The object's modified time moves past every other object's, and a change of
        lifecycle or deal stage is recorded in the stage history, as HubSpot does.
        A history row bumps its contact or deal.
        """
        with self._lock:
            if table_name in _HISTORY_PARENT:
                self._tables[table_name].append(dict(row))
                parent_table, id_column = _HISTORY_PARENT[table_name]
                self._bump(parent_table, str(row[id_column]))
            elif table_name in _KEYS:
                object_id = str(row[_KEYS[table_name]])
                current, before = merge_row(self._tables[table_name], row, (_KEYS[table_name],))
                at = self._bump(table_name, object_id)
                stage = _lifecycle_stage(row.get("lifecycle_stage")) if table_name == "crm_contacts" else None
                if stage in BECAME_COLUMNS and not current.get(BECAME_COLUMNS[stage]):
                    # HubSpot stamps hs_lifecyclestage_<stage>_date when a contact enters a stage.
                    current[BECAME_COLUMNS[stage]] = at
                for table, column, object_type, prop, history_table, history_column in (
                    ("crm_contacts", "lifecycle_stage", "contacts", "lifecyclestage",
                     "crm_contact_stage_history", "contact_id"),
                    ("crm_deals", "deal_stage", "deals", "dealstage", "crm_deal_stage_history", "deal_id"),
                ):
                    if table_name != table or not row.get(column) or row[column] == before.get(column):
                        continue
                    history = self._tables[history_table]
                    if not any(str(h.get(history_column)) == object_id for h in history):
                        # Keep the history HubSpot showed so far (derived from the row).
                        shown = self._portal.objects[object_type].get(object_id, {}).get("history", {})
                        history.extend({history_column: object_id, column: e["value"], "entered_at": e["timestamp"]}
                                       for e in shown.get(prop, []))
                    history.append({history_column: object_id, column: row[column], "entered_at": at})
            else:
                raise ValueError(f"unknown canonical table {table_name!r}: expected one of {', '.join(TABLES)}")
            self._portal = _Portal(self._tables, self._modified)

    def _bump(self, table: str, object_id: str) -> datetime:
        now = datetime.now(timezone.utc)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        at = max(now, self._portal.max_modified + timedelta(milliseconds=1))
        self._modified[(table, object_id)] = at
        return at

    # --- request handling -------------------------------------------------------------

    def _route(self, request: Request) -> tuple[int, Any, Mapping[str, str]]:
        self._require_bearer(request, (self.token,), lambda: _error(
            401, "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
                 "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "INVALID_AUTHENTICATION"))
        status, payload = self._answer(request.method, request.path, request.query, request.body)
        return status, payload, {}

    def _answer(self, method: str, path: str, query: dict[str, str], raw_body: bytes) -> tuple[int, dict]:
        portal = self._portal
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts == ["crm", "v3", "owners"]:
            return 200, self._owners(portal, query)
        if len(parts) >= 4 and parts[:3] == ["crm", "v3", "objects"]:
            object_type = _object_type(parts[3])
            if method == "GET" and len(parts) == 4:
                return 200, self._list(portal, object_type, query)
            if method == "POST" and parts[4:] == ["search"]:
                return 200, self._search(portal, object_type, _json(raw_body))
            if method == "POST" and parts[4:] == ["batch", "read"]:
                return self._batch_read(portal, object_type, query, _json(raw_body))
        if method == "POST" and len(parts) == 7 and parts[:3] == ["crm", "v4", "associations"] \
                and parts[5:] == ["batch", "read"]:
            return self._associations(portal, _object_type(parts[3]), _object_type(parts[4]), _json(raw_body))
        raise _error(404, f"No route for {method} {path}", "OBJECT_NOT_FOUND")

    def _page_link(self, path: str, query: dict[str, str], after: str) -> str:
        rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "after")
        return f"{self.base_url}{path}?{rest}&after={after}" if rest else f"{self.base_url}{path}?after={after}"

    def _list(self, portal: _Portal, object_type: str, query: dict[str, str]) -> dict:
        with_history = _csv(query.get("propertiesWithHistory"))
        limit = _int(query.get("limit"), 10)
        if with_history and limit > 50:
            raise _error(400, f"limit {limit} is too large: at most 50 objects can be read per request "
                              "when propertiesWithHistory is requested", "VALIDATION_ERROR")
        limit = max(1, min(limit, 100))
        archived = query.get("archived", "false").lower() == "true"
        ids = [i for i in portal.order[object_type] if portal.objects[object_type][i]["archived"] == archived]
        start = 0
        if query.get("after"):
            after_key = _id_order(_decode_cursor(query["after"]))
            start = next((n for n, i in enumerate(ids) if _id_order(i) >= after_key), len(ids))
        page = ids[start : start + limit]
        properties = _csv(query.get("properties")) if "properties" in query else None
        associations = [_object_type(t) for t in _csv(query.get("associations"))]
        result: dict[str, Any] = {"results": [
            portal.public(object_type, portal.objects[object_type][i], properties, with_history, associations)
            for i in page]}
        if start + limit < len(ids):
            after = _encode_cursor(ids[start + limit])
            result["paging"] = {"next": {"after": after,
                                         "link": self._page_link(f"/crm/v3/objects/{object_type}", query, after)}}
        return result

    def _search(self, portal: _Portal, object_type: str, body: dict) -> dict:
        limit = _int(body.get("limit"), 10)
        if limit > 200:
            raise _error(400, "limit must be at most 200", "VALIDATION_ERROR")
        after = _int(body.get("after"), 0)
        if after >= self.search_cap:
            raise _error(400, f"The search API returns at most {self.search_cap} results for a query: "
                              f"after={after} is beyond that window. Narrow the filters instead.",
                         "VALIDATION_ERROR")
        groups = body.get("filterGroups") or []
        objects = [o for o in (portal.objects[object_type][i] for i in portal.order[object_type])
                   if not o["archived"] and (not groups or any(
                       all(_matches(o, f) for f in g.get("filters") or []) for g in groups))]
        for prop, descending in reversed(_sort_rules(body.get("sorts"))):
            present = [o for o in objects if _comparable(prop, o["properties"].get(prop)) is not None]
            missing = [o for o in objects if _comparable(prop, o["properties"].get(prop)) is None]
            present.sort(key=lambda o: _comparable(prop, o["properties"][prop]), reverse=descending)
            objects = present + missing
        end = min(after + max(limit, 1), self.search_cap)
        page = objects[after:end]
        properties = body.get("properties") or None
        result: dict[str, Any] = {"total": len(objects),
                                  "results": [portal.public(object_type, o, properties) for o in page]}
        if end < len(objects):
            result["paging"] = {"next": {"after": str(end)}}
        return result

    def _batch_read(self, portal: _Portal, object_type: str, query: dict[str, str], body: dict) -> tuple[int, dict]:
        inputs = body.get("inputs") or []
        with_history = body.get("propertiesWithHistory") or []
        if with_history and len(inputs) > 50:
            raise _error(400, "The maximum number of inputs supported in a batch request for property histories "
                              "is 50. Please reduce the number of items and try again", "VALIDATION_ERROR")
        if len(inputs) > 100:
            raise _error(400, "The maximum number of inputs supported in a batch request is 100", "VALIDATION_ERROR")
        archived = query.get("archived", "false").lower() == "true"
        found, missing = [], []
        for item in inputs:
            obj = portal.objects[object_type].get(str(item.get("id")))
            if obj is None or obj["archived"] != archived:
                missing.append(str(item.get("id")))
            else:
                found.append(portal.public(object_type, obj, body.get("properties") or None, with_history))
        result = _batch_envelope(found)
        if missing:
            result["numErrors"] = 1
            result["errors"] = [{"status": "error", "category": "OBJECT_NOT_FOUND",
                                 "message": f"Could not get some {SINGULAR[object_type].upper()} objects, they may "
                                            "be deleted or not exist. Check that ids are valid.",
                                 "context": {"ids": missing}}]
        return (207 if missing else 200), result

    def _associations(self, portal: _Portal, from_type: str, to_type: str, body: dict) -> tuple[int, dict]:
        inputs = body.get("inputs") or []
        if len(inputs) > 1000:
            raise _error(400, "Batch read of associations accepts at most 1000 inputs", "VALIDATION_ERROR")
        edges = portal.edges.get((from_type, to_type), {})
        types = _PAIR_TYPES.get((from_type, to_type), ((0, None),))
        results, errors = [], []
        for item in inputs:
            from_id = str(item.get("id"))
            to_ids = edges.get(from_id, [])
            if not to_ids:
                errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                               "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                               "message": f"No {SINGULAR[to_type]} is associated with {SINGULAR[from_type]} {from_id}.",
                               "context": {"fromObjectId": [from_id]}})
                continue
            results.append({"from": {"id": from_id}, "to": [
                {"toObjectId": int(t) if t.isdigit() else t,
                 "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": n, "label": label}
                                      for n, label in types]} for t in to_ids]})
        result = _batch_envelope(results)
        if errors:
            result["numErrors"], result["errors"] = len(errors), errors
        return (207 if errors else 200), result

    def _owners(self, portal: _Portal, query: dict[str, str]) -> dict:
        limit = max(1, min(_int(query.get("limit"), 100), 500))
        archived = query.get("archived", "false").lower() == "true"
        ids = [i for i in portal.owner_order if portal.owners[i]["archived"] == archived
               and (not query.get("email") or portal.owners[i]["email"] == query["email"])]
        start = 0
        if query.get("after"):
            after_key = _id_order(_decode_cursor(query["after"]))
            start = next((n for n, i in enumerate(ids) if _id_order(i) >= after_key), len(ids))
        page = ids[start : start + limit]
        result: dict[str, Any] = {"results": [{k: v for k, v in portal.owners[i].items() if not k.startswith("_")}
                                              for i in page]}
        if start + limit < len(ids):
            after = _encode_cursor(ids[start + limit])
            result["paging"] = {"next": {"after": after, "link": self._page_link("/crm/v3/owners", query, after)}}
        return result

    def _reply_headers(self) -> dict[str, str]:
        return {"X-HubSpot-Correlation-Id": str(uuid.uuid4())}

    def _failure_body(self, status: int, retry_after: float | None) -> dict:
        correlation = str(uuid.uuid4())
        if status == 429:
            return {"status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT",
                    "correlationId": correlation, "policyName": "SECONDLY"}
        if status == 401:
            return {"status": "error", "message": "The OAuth token used to make this call expired 2 day(s) ago.",
                    "correlationId": correlation, "category": "EXPIRED_AUTHENTICATION"}
        if status == 403:
            return {"status": "error", "message": "This app hasn't been granted all required scopes to make this "
                                                  "call.", "correlationId": correlation, "category": "MISSING_SCOPES"}
        return {"status": "error", "message": "internal error", "correlationId": correlation,
                "category": "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR"}


def _batch_envelope(results: list) -> dict:
    now = _iso(datetime.now(timezone.utc))
    return {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}


def _object_type(name: str) -> str:
    object_type = TYPE_IDS.get(name, name)
    if object_type not in CRM_TYPES:
        raise _error(400, f"Unable to infer object type from: {name}", "VALIDATION_ERROR")
    return object_type


def _json(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise _error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR") from None
    if not isinstance(body, dict):
        raise _error(400, "Invalid input JSON: expected an object", "VALIDATION_ERROR")
    return body


def _csv(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _int(value: Any, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _error(400, f"Invalid number: {value!r}", "VALIDATION_ERROR") from None
