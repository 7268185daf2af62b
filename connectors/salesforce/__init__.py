"""The Salesforce connector: reads users, accounts, leads, contacts, opportunities (with
their stage and field history), tasks, events, campaigns and campaign members.

`SalesforceSource.read(obj, since)` yields batches (one per query page) mapping raw
table names (see `connectors.salesforce.tables.SALESFORCE_TABLES`) to rows. It does not
write anywhere: the loader lands the batches, merges by key and keeps the cursor. HTTP
plumbing (session, paging over nextRecordsUrl, retries with backoff, Retry-After) is
dlt's REST client, as in the HubSpot connector. See README.md for endpoints, OAuth
setup, costs and limits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from connectors._shared.http import RETRY_STATUSES, redact, retrying_session
from connectors._shared.settings import Env
from connectors._shared.source import Batch, Source

from . import settings as _settings
from .helpers import (
    ResponseCheck,
    SalesforceAPIError,
    SalesforceAuthError,
    SalesforceLimitError,
    SalesforceSessionExpired,
    SalesforceUnreadableResponse,
    first_error,
    record_row,
    selectable,
)
from .settings import SalesforceSettings, SettingsError, soql_datetime
from .tables import (
    CURSOR_FIELD,
    FALLBACK_CURSOR_FIELD,
    OBJECTS,
    OPTIONAL_FIELDS,
    SALESFORCE_FIELDS,
    SALESFORCE_TABLES,
    TABLES_BY_OBJECT,
    column_name,
    spec,
)

__all__ = [
    "OBJECTS",
    "SALESFORCE_TABLES",
    "TABLES_BY_OBJECT",
    "SalesforceAPIError",
    "SalesforceAuthError",
    "SalesforceLimitError",
    "SalesforceSource",
    "SalesforceUnreadableResponse",
    "SettingsError",
]

# Reference data is read in full on a first run even when SALESFORCE_START_DATE is set:
# an old account or campaign is still what recent records point at.
FULL_ON_FIRST_RUN = ("User", "Account", "Campaign")

log = logging.getLogger(__name__)


class SalesforceSource(Source):
    """Reads Salesforce objects as raw-table batches through the REST API (queryAll);
    a Source (connectors._shared.source).

    Arguments left as None come from `settings` (by default the environment, see
    settings.py). Credentials
    are an access token with its instance URL, or a connected app's client id and
    secret (with a refresh token: the refresh-token flow; without: client
    credentials), or both. Missing credentials fail here, before any request, with
    SalesforceAuthError naming the variables to set. A token, when one is needed, is
    fetched on the first read.
    """

    name = "salesforce"
    label = "Salesforce"
    streams = OBJECTS
    tables_by_stream = {obj: tuple(spec(t) for t in TABLES_BY_OBJECT[obj]) for obj in OBJECTS}
    credentials = "SALESFORCE_*"

    def __init__(
        self,
        instance_url: str | None = None,
        access_token: str | None = None,
        api_version: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        login_url: str | None = None,
        max_attempts: int | None = None,
        backoff_factor: float | None = None,
        *,
        batch_size: int | None = None,
        start_date: str | None = None,
        extra_fields: dict[str, tuple[str, ...]] | None = None,
        settings: SalesforceSettings | None = None,
    ):
        env = settings or SalesforceSettings.from_env()
        self._access_token = access_token or env.access_token
        self._client_id = client_id or env.client_id
        self._client_secret = client_secret or env.client_secret
        self._refresh_token = refresh_token or env.refresh_token
        self.can_renew = bool(self._client_id and self._client_secret)
        if not self._access_token and not self.can_renew:
            raise SalesforceAuthError(_settings.NOT_CONFIGURED_MESSAGE)
        instance = instance_url or env.instance_url
        self.instance_url = instance.rstrip("/") if instance else None
        if self.instance_url is None and not self.can_renew:
            raise SalesforceAuthError(_settings.MISSING_INSTANCE_MESSAGE)
        self.login_url = (login_url or env.login_url).rstrip("/")
        self.api_version = _settings.api_version(api_version, "api_version") if api_version else env.api_version
        self.start_date = _settings.start_date(start_date, "start_date") if start_date else env.start_date
        self.extra_fields = dict(env.extra_fields if extra_fields is None else extra_fields)
        self.batch_size = batch_size if batch_size is not None else env.batch_size
        self.max_attempts = max_attempts if max_attempts is not None else env.max_attempts
        self.backoff_factor = backoff_factor if backoff_factor is not None else env.backoff_factor
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.batch_size = max(_settings.BATCH_SIZE_MIN, min(self.batch_size, _settings.BATCH_SIZE_MAX))
        self.cursor_lookback = timedelta(minutes=env.cursor_lookback_minutes)

        self._check = ResponseCheck(secrets=[self._access_token, self._client_secret, self._refresh_token])
        self._hooks = {"response": [self._check]}
        # The token endpoint is called without a response hook: its 429 and 5xx answers
        # are retried by status.
        self._session = retrying_session(self.max_attempts, self.backoff_factor,
                                         timeout=_settings.REQUEST_TIMEOUT_SECONDS, retry_statuses=RETRY_STATUSES)
        self._auth = BearerTokenAuth(token=self._access_token or "")
        self._client = RESTClient(
            base_url=self.instance_url or "",
            headers={"Accept": "application/json", "Sforce-Query-Options": f"batchSize={self.batch_size}"},
            auth=self._auth,
            session=self._session,
        )
        # The 2xx count when the current token was fetched; None for a token we were given.
        self._fetched_at_success: int | None = None
        self._describes: dict[str, dict] = {}

    def __repr__(self) -> str:
        return (f"SalesforceSource(instance_url={self.instance_url!r}, api_version={self.api_version!r}, "
                f"batch_size={self.batch_size}, can_renew={self.can_renew})")

    @classmethod
    def is_configured(cls, env: Mapping[str, str]) -> bool:
        e = Env(env)
        return (e.has("SALESFORCE_ACCESS_TOKEN") or e.has("SALESFORCE_REFRESH_TOKEN")
                or e.has("SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SalesforceSource:
        return cls(settings=SalesforceSettings.from_env(env))

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(requests used, daily limit) of the org, from the last Sforce-Limit-Info seen."""
        return self._check.api_usage

    @property
    def base_path(self) -> str:
        return f"/services/data/{self.api_version}"

    # --- public ---------------------------------------------------------------------

    def read(self, obj: str, since: str | None) -> Iterator[Batch]:
        """Yield batches of raw rows for `obj` (one of OBJECTS), one batch per query page.

        Runs one SOQL query through `queryAll`, so deleted records (in the recycle bin)
        arrive flagged is_deleted='true' and archived activities arrive too.
        `since=None` reads everything (from SALESFORCE_START_DATE, if set, except for
        users, accounts and campaigns); with `since` (an ISO 8601 time, normally the max
        cursor column landed so far) only records whose SystemModstamp (CreatedDate for
        OpportunityFieldHistory) is later. Records come in ascending cursor order, so
        the max cursor of the pages landed so far is a safe resume point even when a
        read stops part-way.
        """
        if obj not in OBJECTS:
            raise ValueError(f"unknown Salesforce object {obj!r}: expected one of {', '.join(OBJECTS)}")
        self._ensure_token()
        fields, cursor_field = self._plan(obj)
        soql = self._soql(obj, fields, cursor_field, since)
        table = TABLES_BY_OBJECT[obj][0]
        columns = list(spec(table).columns)
        columns += [c for c in (column_name(f) for f in fields) if c not in columns]
        records = pages = 0
        for page in self._pages(f"{self.base_path}/queryAll", {"q": soql}):
            pages += 1
            if page:
                records += len(page)
                yield {table: [record_row(columns, record) for record in page]}
        self._log_usage(obj, records, pages)

    # --- planning -------------------------------------------------------------------

    def describe(self, obj: str) -> dict:
        """The object's describe (fields the org has and this user may read), once per source."""
        if obj not in self._describes:
            self._ensure_token()
            self._describes[obj] = self._get_json(f"{self.base_path}/sobjects/{obj}/describe")
        return self._describes[obj]

    def _plan(self, obj: str) -> tuple[list[str], str]:
        """The fields to select (the wanted ones the org has) and the cursor field."""
        describe = self.describe(obj)
        wanted = list(dict.fromkeys([*SALESFORCE_FIELDS[obj], *self.extra_fields.get(obj, ())]))
        fields, missing = selectable(wanted, describe)
        table = spec(TABLES_BY_OBJECT[obj][0])
        for name in missing:
            if name in OPTIONAL_FIELDS.get(obj, ()):
                continue
            column = column_name(name)
            consequence = (f"every row will be quarantined ({column} is required)" if column in table.required
                           else f"column {column} stays empty")
            log.warning(f"Salesforce {obj} has no field {name} that this user can read (not in the org, or hidden "
                        f"by field-level security): it is not selected and {consequence}")
        names = {f.lower() for f in fields}
        cursor_field = CURSOR_FIELD if CURSOR_FIELD.lower() in names else FALLBACK_CURSOR_FIELD
        if cursor_field.lower() not in names:
            raise SalesforceAPIError(f"Salesforce {obj} has neither {CURSOR_FIELD} nor {FALLBACK_CURSOR_FIELD} "
                                     "readable: an incremental read is impossible; check the user's access")
        return fields, cursor_field

    def _soql(self, obj: str, fields: list[str], cursor_field: str, since: str | None) -> str:
        if since:
            where = f" WHERE {cursor_field} > {soql_datetime(since)}"
        elif self.start_date and obj not in FULL_ON_FIRST_RUN:
            where = f" WHERE {cursor_field} >= {self.start_date}"
        else:
            where = ""
        return f"SELECT {', '.join(fields)} FROM {obj}{where} ORDER BY {cursor_field}"

    # --- HTTP -----------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict]]:
        """Query result pages, following nextRecordsUrl; after a renewed token, resume
        at the refused request (the query or the page's nextRecordsUrl). The loop ends:
        `_renew` raises rather than renew a token that has not served a request."""
        url: str = path
        query: dict[str, Any] | None = params
        while True:
            try:
                for page in self._client.paginate(url, params=query, paginator=JSONLinkPaginator("nextRecordsUrl"),
                                                  data_selector="records", hooks=self._hooks):
                    yield list(page)
                return
            except SalesforceSessionExpired as expired:
                self._renew(expired)
                if expired.url:
                    url, query = expired.url, None

    def _get_json(self, path: str) -> Any:
        # Ends: `_renew` raises rather than renew a token that has not served a request.
        while True:
            try:
                return self._client.get(path, hooks=self._hooks).json()
            except SalesforceSessionExpired as expired:
                self._renew(expired)

    # --- tokens ---------------------------------------------------------------------

    def _ensure_token(self) -> None:
        if not self._access_token:
            self._fetch_token()

    def _renew(self, expired: SalesforceSessionExpired) -> None:
        """Get a new token after a 401, once: a token that has never served a request
        and is refused too means renewing again would only loop."""
        if not self.can_renew:
            raise SalesforceAuthError(
                f"{expired}: the access token expired or was revoked (sessions end after the org's session "
                "timeout, 2 hours by default). Export a fresh SALESFORCE_ACCESS_TOKEN, or set "
                "SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and SALESFORCE_REFRESH_TOKEN so Touchline renews "
                "it; or run with --source demo") from None
        if self._fetched_at_success is not None and self._check.succeeded == self._fetched_at_success:
            raise SalesforceAuthError(
                f"{expired}, with a token the token endpoint had just issued: check that the user behind "
                "SALESFORCE_REFRESH_TOKEN (or the connected app's client-credentials Run As user) is active and "
                "API Enabled, and that the app's IP and session policies allow API access") from None
        log.info("Salesforce refused the session (401 INVALID_SESSION_ID): renewing the access token once")
        self._fetch_token()

    def _fetch_token(self) -> None:
        """POST the token endpoint (refresh-token or client-credentials grant)."""
        flow = "refresh_token" if self._refresh_token else "client_credentials"
        form = {"grant_type": flow, "client_id": self._client_id, "client_secret": self._client_secret}
        if self._refresh_token:
            form["refresh_token"] = self._refresh_token
        url = self.login_url + _settings.TOKEN_PATH
        # The session, not the REST client: its debug log would print the form.
        response = self._session.post(url, data=form, headers={"Accept": "application/json"})
        secrets = self._check.secrets
        if response.status_code in (400, 401, 403):
            error = first_error(response)
            detail = redact(f"{error.get('error') or response.status_code}: "
                            f"{error.get('error_description') or response.reason}", secrets)
            variables = ("SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and SALESFORCE_REFRESH_TOKEN"
                         if self._refresh_token else "SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET")
            where = ("https://test.salesforce.com for a sandbox" if self._refresh_token
                     else "your My Domain URL, which the client-credentials flow requires")
            raise SalesforceAuthError(
                f"Salesforce's token endpoint {url} refused the {flow} grant ({response.status_code} {detail}): "
                f"check {variables} (a refresh token dies when revoked or unused past the app's policy), and "
                f"SALESFORCE_LOGIN_URL ({where})")
        if response.status_code >= 400:
            raise SalesforceAPIError(f"Salesforce's token endpoint {url} answered {response.status_code}",
                                     response=response)
        try:
            body = response.json()
            token = body["access_token"]
        except (ValueError, KeyError, TypeError):
            raise SalesforceAPIError(f"Salesforce's token endpoint {url} answered without an access_token",
                                     response=response) from None
        secrets.append(token)
        self._access_token = self._auth.token = token
        issued_for = str(body.get("instance_url") or self.instance_url or "").rstrip("/")
        if not issued_for:
            raise SalesforceAuthError(_settings.MISSING_INSTANCE_MESSAGE)
        self.instance_url = self._client.base_url = issued_for
        self._fetched_at_success = self._check.succeeded
        log.info(f"Salesforce: obtained an access token ({flow} flow) for {self.instance_url}")

    def _log_usage(self, obj: str, records: int, pages: int) -> None:
        usage = self.api_usage
        shown = f"{usage[0]}/{usage[1]}" if usage else "unknown"
        log.info(f"Salesforce {obj}: {records} records in {pages} pages; org api-usage {shown}")
        if usage and usage[1] and usage[0] >= _settings.API_USAGE_WARNING_SHARE * usage[1]:
            log.warning(f"Salesforce org api-usage is {usage[0]} of its {usage[1]} daily requests: other integrations "
                        "share that limit, and Touchline stops at REQUEST_LIMIT_EXCEEDED")
