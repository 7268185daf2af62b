"""The HubSpot CRM connector: reads owners, companies, contacts, deals and engagements.

`HubSpotSource.read(obj, since)` yields batches (one per API page or batch-read chunk)
mapping raw table names (see `tables.HUBSPOT_TABLES`) to rows. It
does not write anywhere: the loader lands the batches, merges by key and keeps the
cursor. HTTP plumbing (session, paging, retries with backoff, Retry-After) is dlt's
REST client. See README.md for endpoints, scopes, costs and limits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

from connectors._shared.http import retrying_session
from connectors._shared.settings import Env
from connectors._shared.source import Batch, Source
from connectors._shared.values import text

from . import settings as _settings
from .helpers import (
    CappedSearchPaginator,
    HubSpotAPIError,
    HubSpotAuthError,
    HubSpotUnreadableResponse,
    chunks,
    first_v3_association,
    first_v4_association,
    history_rows,
    list_paginator,
    make_response_check,
    object_row,
    to_millis,
)
from .settings import HubSpotSettings
from .tables import HUBSPOT_BY_NAME, HUBSPOT_PROPERTIES, HUBSPOT_TABLES, OBJECTS, TABLES_BY_OBJECT

__all__ = [
    "HUBSPOT_TABLES",
    "OBJECTS",
    "TABLES_BY_OBJECT",
    "HubSpotAPIError",
    "HubSpotAuthError",
    "HubSpotSource",
    "HubSpotUnreadableResponse",
]

ENGAGEMENT_TYPES = ("calls", "meetings", "emails", "notes", "tasks")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _History:
    prop: str
    table: str
    id_column: str


@dataclass(frozen=True)
class _CrmObject:
    """How one of our objects maps onto HubSpot object types and raw tables."""

    types: tuple[str, ...]
    table: str
    modified: str
    properties: tuple[str, ...]
    history: _History | None = None
    # (HubSpot object type, raw column) for each association carried on the row.
    associations: tuple[tuple[str, str], ...] = ()


_CRM: dict[str, _CrmObject] = {
    "companies": _CrmObject(("companies",), "hubspot_companies", "hs_lastmodifieddate",
                            HUBSPOT_PROPERTIES["companies"]),
    "contacts": _CrmObject(("contacts",), "hubspot_contacts", "lastmodifieddate",
                           HUBSPOT_PROPERTIES["contacts"],
                           history=_History("lifecyclestage", "hubspot_contact_stage_history", "contact_id")),
    "deals": _CrmObject(("deals",), "hubspot_deals", "hs_lastmodifieddate", HUBSPOT_PROPERTIES["deals"],
                        history=_History("dealstage", "hubspot_deal_stage_history", "deal_id"),
                        associations=(("companies", "association_company_id"),
                                      ("contacts", "association_contact_id"))),
    "engagements": _CrmObject(ENGAGEMENT_TYPES, "hubspot_engagements", "hs_lastmodifieddate",
                              HUBSPOT_PROPERTIES["engagements"],
                              associations=(("contacts", "association_contact_id"),
                                            ("companies", "association_company_id"),
                                            ("deals", "association_deal_id"))),
}

class HubSpotSource(Source):
    """Reads HubSpot CRM objects as raw-table batches (a Source: connectors._shared.source).

    Arguments left as None come from `settings` (by default the environment, see
    settings.py). A missing token fails here, before any request, with
    HubSpotAuthError naming HUBSPOT_TOKEN. `search_cap` is HubSpot's 10,000-result
    search window; only tests change it.
    """

    name = "hubspot"
    label = "HubSpot"
    streams = OBJECTS
    tables_by_stream = {obj: tuple(HUBSPOT_BY_NAME[t] for t in TABLES_BY_OBJECT[obj]) for obj in OBJECTS}
    credentials = "HUBSPOT_TOKEN"

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        page_size: int | None = None,
        max_attempts: int | None = None,
        backoff_factor: float | None = None,
        *,
        settings: HubSpotSettings | None = None,
        search_cap: int = _settings.SEARCH_RESULT_CAP,
    ):
        env = settings or HubSpotSettings.from_env()
        token = token or env.token
        if not token:
            raise HubSpotAuthError(_settings.MISSING_TOKEN_MESSAGE)
        self.base_url = (base_url or env.base_url).rstrip("/")
        self.page_size = page_size if page_size is not None else env.page_size
        self.max_attempts = max_attempts if max_attempts is not None else env.max_attempts
        self.backoff_factor = backoff_factor if backoff_factor is not None else env.backoff_factor
        self.search_cap = search_cap
        self.cursor_lookback = timedelta(minutes=env.cursor_lookback_minutes)
        if self.page_size < 1 or self.max_attempts < 1:
            raise ValueError("page_size and max_attempts must be at least 1")
        self._hooks = {"response": [make_response_check(token)]}
        session = retrying_session(self.max_attempts, self.backoff_factor, timeout=_settings.REQUEST_TIMEOUT_SECONDS)
        self._client = RESTClient(base_url=self.base_url, auth=BearerTokenAuth(token=token), session=session)

    def __repr__(self) -> str:
        return f"HubSpotSource(base_url={self.base_url!r}, page_size={self.page_size})"

    @classmethod
    def is_configured(cls, env: Mapping[str, str]) -> bool:
        return Env(env).has("HUBSPOT_TOKEN")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HubSpotSource:
        return cls(settings=HubSpotSettings.from_env(env))

    # --- public ---------------------------------------------------------------------

    def read(self, obj: str, since: str | None) -> Iterator[Batch]:
        """Yield batches of raw rows for `obj` (one of OBJECTS).

        `since=None` reads everything, archived objects included (flagged
        archived='true'). With `since` (an ISO 8601 time, normally the max `updated_at`
        landed so far) only objects modified after it are read, through the search
        endpoint in ascending modified order, plus objects archived after it. Owners
        are always read in full. Each batch holds every table of TABLES_BY_OBJECT[obj].
        Commit a cursor only once the generator is exhausted: a first run lists
        objects by id, not by modified time.
        """
        if obj not in OBJECTS:
            raise ValueError(f"unknown HubSpot object {obj!r}: expected one of {', '.join(OBJECTS)}")
        if obj == "owners":
            yield from self._read_owners()
            return
        crm = _CRM[obj]
        since_ms = to_millis(since) if since else None
        for object_type in crm.types:
            if since_ms is None:
                for archived in (False, True):
                    for page in self._list(object_type, crm, archived=archived, with_history=True):
                        if page:
                            yield self._batch_from_v3(obj, crm, object_type, page)
            else:
                for page in self._search(object_type, crm, since_ms):
                    yield self._batch_from_search(obj, crm, object_type, page)
                for page in self._list(object_type, crm, archived=True, with_history=False):
                    recent = [o for o in page if to_millis(o.get("archivedAt") or o.get("updatedAt")) > since_ms]
                    if recent:
                        yield self._batch_from_v3(obj, crm, object_type, recent)

    # --- owners ---------------------------------------------------------------------

    def _read_owners(self) -> Iterator[Batch]:
        limit = min(self.page_size, _settings.OWNERS_LIMIT_MAX)
        for archived in (False, True):
            params = {"limit": limit, "archived": text(archived)}
            for page in self._paginate("/crm/v3/owners", params=params, paginator=list_paginator()):
                if page:
                    yield {"hubspot_owners": [_owner_row(owner) for owner in page]}

    # --- first run: the list endpoint -----------------------------------------------

    def _list(self, object_type: str, crm: _CrmObject, *, archived: bool, with_history: bool) -> Iterator[list[dict]]:
        history = crm.history if with_history else None
        cap = _settings.LIST_WITH_HISTORY_LIMIT_MAX if history else _settings.LIST_LIMIT_MAX
        params: dict[str, Any] = {
            "limit": min(self.page_size, cap),
            "properties": ",".join(crm.properties),
            "archived": text(archived),
        }
        if history:
            params["propertiesWithHistory"] = history.prop
        if crm.associations:
            params["associations"] = ",".join(to_type for to_type, _ in crm.associations)
        yield from self._paginate(f"/crm/v3/objects/{object_type}", params=params, paginator=list_paginator())

    def _batch_from_v3(self, obj: str, crm: _CrmObject, object_type: str, objects: list[dict]) -> Batch:
        batch: Batch = {table: [] for table in TABLES_BY_OBJECT[obj]}
        for item in objects:
            associations = {column: first_v3_association(item, to_type) for to_type, column in crm.associations}
            batch[crm.table].append(self._row(crm, object_type, item, associations))
            if crm.history:
                entries = (item.get("propertiesWithHistory") or {}).get(crm.history.prop) or []
                batch[crm.history.table].extend(self._history(crm, item["id"], entries))
        return batch

    # --- incremental: search, then batch reads --------------------------------------

    def _search(self, object_type: str, crm: _CrmObject, since_ms: int) -> Iterator[list[dict]]:
        """Objects modified after `since_ms`, ascending, across HubSpot's 10,000 window.

        When a search reaches the window, it restarts from the last modified time seen
        (GTE, skipping ids already yielded at that instant). If a whole window shares
        one instant (a bulk import), it pages that instant by object id instead.
        """
        operator, value, seen_at_value = "GT", since_ms, set()
        while True:
            paginator = CappedSearchPaginator(self.search_cap)
            first = last = None
            ids_at_last: set[str] = set()
            for page in self._search_pages(object_type, crm, [(crm.modified, operator, value)],
                                           crm.modified, paginator):
                fresh = [o for o in page if str(o["id"]) not in seen_at_value]
                for item in page:
                    modified = _modified_millis(item, crm.modified)
                    first = modified if first is None else first
                    if modified != last:
                        last, ids_at_last = modified, set()
                    ids_at_last.add(str(item["id"]))
                if fresh:
                    yield fresh
            if not paginator.hit_cap or last is None:
                return
            if first == last:
                yield from self._search_one_instant(object_type, crm, last, skip=ids_at_last)
                operator, value, seen_at_value = "GT", last, set()
            else:
                operator, value, seen_at_value = "GTE", last, ids_at_last

    def _search_one_instant(self, object_type: str, crm: _CrmObject, instant: int,
                            skip: set[str]) -> Iterator[list[dict]]:
        after_id: str | None = None
        while True:
            filters = [(crm.modified, "EQ", instant)]
            if after_id is not None:
                filters.append(("hs_object_id", "GT", after_id))
            paginator = CappedSearchPaginator(self.search_cap)
            for page in self._search_pages(object_type, crm, filters, "hs_object_id", paginator):
                if page:
                    after_id = str(page[-1]["id"])
                    fresh = [o for o in page if str(o["id"]) not in skip]
                    if fresh:
                        yield fresh
            if not paginator.hit_cap:
                return

    def _search_pages(self, object_type, crm, filters, sort_by, paginator) -> Iterator[list[dict]]:
        body = {
            "filterGroups": [{"filters": [{"propertyName": name, "operator": op, "value": str(value)}
                                          for name, op, value in filters]}],
            "sorts": [{"propertyName": sort_by, "direction": "ASCENDING"}],
            # The restart after the 10,000 window reads the modified time off each result.
            "properties": list(dict.fromkeys([*crm.properties, crm.modified])),
            "limit": min(self.page_size, _settings.SEARCH_LIMIT_MAX),
        }
        yield from self._paginate(f"/crm/v3/objects/{object_type}/search", method="POST", json=body,
                                  paginator=paginator)

    def _batch_from_search(self, obj: str, crm: _CrmObject, object_type: str, objects: list[dict]) -> Batch:
        ids = [str(o["id"]) for o in objects]
        histories = self._batch_history(object_type, crm.history.prop, ids) if crm.history else {}
        associated = {column: self._batch_associations(object_type, to_type, ids)
                      for to_type, column in crm.associations}
        batch: Batch = {table: [] for table in TABLES_BY_OBJECT[obj]}
        for item, object_id in zip(objects, ids):
            associations = {column: found.get(object_id) for column, found in associated.items()}
            batch[crm.table].append(self._row(crm, object_type, item, associations))
            if crm.history:
                batch[crm.history.table].extend(self._history(crm, object_id, histories.get(object_id, [])))
        return batch

    def _batch_history(self, object_type: str, prop: str, ids: list[str]) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for chunk in chunks(ids, _settings.BATCH_READ_WITH_HISTORY_MAX):
            body = {"inputs": [{"id": i} for i in chunk], "properties": [prop], "propertiesWithHistory": [prop]}
            answer = self._post(f"/crm/v3/objects/{object_type}/batch/read", body)
            for item in answer.get("results") or []:
                found[str(item["id"])] = (item.get("propertiesWithHistory") or {}).get(prop) or []
        return found

    def _batch_associations(self, from_type: str, to_type: str, ids: list[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for chunk in chunks(ids, _settings.ASSOCIATIONS_BATCH_MAX):
            answer = self._post(f"/crm/v4/associations/{from_type}/{to_type}/batch/read",
                                {"inputs": [{"id": i} for i in chunk]})
            for result in answer.get("results") or []:
                found[str(result["from"]["id"])] = first_v4_association(result.get("to") or [])
        return found

    # --- shaping --------------------------------------------------------------------

    def _row(self, crm: _CrmObject, object_type: str, item: dict, associations: dict) -> dict:
        engagement_type = object_type if crm.table == "hubspot_engagements" else None
        return object_row(crm.table, item, associations, engagement_type)

    def _history(self, crm: _CrmObject, object_id: Any, entries: list[dict]) -> list[dict]:
        history = crm.history
        return history_rows(history.table, history.id_column, history.prop, str(object_id), entries)

    # --- HTTP -----------------------------------------------------------------------

    def _paginate(self, path: str, *, paginator, method: str = "GET", params=None, json=None) -> Iterator[list]:
        pages = self._client.paginate(path, method=method, params=params, json=json, paginator=paginator,
                                      data_selector="results", hooks=self._hooks)
        for page in pages:
            yield list(page)

    def _post(self, path: str, body: dict) -> dict:
        return self._client.post(path, json=body, hooks=self._hooks).json()


def _modified_millis(item: dict, prop: str) -> int:
    value = (item.get("properties") or {}).get(prop) or item.get("updatedAt")
    return to_millis(value)


def _owner_row(owner: dict) -> dict[str, str | None]:
    teams = owner.get("teams") or []
    primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
    return {
        "id": text(owner.get("id")),
        "email": text(owner.get("email")),
        "first_name": text(owner.get("firstName")),
        "last_name": text(owner.get("lastName")),
        "team_name": text(primary.get("name")) if primary else None,
        "created_at": text(owner.get("createdAt")),
        "updated_at": text(owner.get("updatedAt")),
        "archived": text(bool(owner.get("archived", False))),
    }
