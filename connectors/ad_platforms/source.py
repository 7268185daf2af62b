"""AdPlatformSource: what the Google Ads, Meta and LinkedIn sources share.

An ad platform source reads two streams, account by account, into the two shared raw
tables: "campaigns" (every campaign, read in full) and "performance" (daily numbers,
for the days `window` gives). A platform subclass says who it is (name, label,
settings, errors), opens its REST client, and turns its API's pages into rows:

    class AcmeAdsSource(AdPlatformSource):
        name, label, credentials, main_credential = "acme_ads", "Acme", "ACME_*", "ACME_TOKEN"
        tables_by_stream = platform_tables("acme_ads")
        settings_class, auth_error = AcmeAdsSettings, AcmeAuthError
        missing_message = staticmethod(settings.missing_message)
        account_ids_field = "ad_account_ids"
        normalize_account_ids = staticmethod(settings.normalize_account_ids)

        def _open(self, session): ...                           # self._client, self._hooks
        def _fetch_account(self, account_id) -> Account: ...
        def _campaign_pages(self, account) -> Iterator[list[row]]: ...
        def _performance_pages(self, account, first, last) -> Iterator[list[row]]: ...

Its settings dataclass extends AdPlatformSettings (start date, look-back days,
retries) with its credentials and account ids, `missing()` and `from_env(env)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar

from requests import Session

from connectors._shared.http import AuthError, retrying_session
from connectors._shared.settings import Env
from connectors._shared.source import Batch, Row, Source

from .helpers import REQUEST_TIMEOUT_SECONDS, Account, report_window
from .settings import AdPlatformSettings
from .tables import CAMPAIGNS_TABLE, PERFORMANCE_TABLE

# Where the ad platforms' cursors have always been kept: one source, 'ads_api', the
# step that lands all three, with streams '<platform>:<stream>'. Existing warehouses
# keep their cursors there.
CURSOR_SOURCE = "ads_api"


class AdPlatformSource(Source):
    """Reads an ad platform's campaigns and daily performance as raw-table batches.

    Settings come from the environment (the platform's settings.py); keyword overrides
    replace single fields (`MetaAdsSource(base_url=..., ad_account_ids=("123",))`).
    Missing credentials fail here, before any request, with the platform's auth error
    naming the variables. `now` returns the current time (aware); only tests change it.
    """

    streams = ("campaigns", "performance")  # the keys of platform_tables(name), each platform's tables_by_stream
    # Platforms restate recent days: each run re-reads its own look-back window of days
    # (<PLATFORM>_LOOKBACK_DAYS, in `window`), so the saved cursor is not stepped back.
    cursor_lookback = timedelta(0)

    # Each platform sets these: its settings dataclass (an AdPlatformSettings), the
    # error a refused or missing credential raises, the message naming missing
    # variables, the variable whose presence means the environment asks for the
    # platform, and the settings field listing the accounts to read, with the function
    # that normalizes an id ('act_123' -> '123').
    settings_class: ClassVar[type[AdPlatformSettings]]
    auth_error: ClassVar[type[AuthError]]
    missing_message: ClassVar[Callable[[list[str]], str]]
    main_credential: ClassVar[str]
    account_ids_field: ClassVar[str]
    normalize_account_ids: ClassVar[Callable[[Iterable[Any], str], tuple[str, ...]]]

    def __init__(self, settings: Any = None, *, now: Callable[[], datetime] | None = None, **overrides: Any):
        s = settings or self.settings_class.from_env()
        s = replace(s, **self._normalized(overrides)) if overrides else s
        if s.missing():
            raise self.auth_error(self.missing_message(s.missing()))
        self.settings = s
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._accounts: dict[str, Account] = {}
        self._open(retrying_session(s.max_attempts, s.backoff_factor, timeout=REQUEST_TIMEOUT_SECONDS))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"

    @property
    def account_ids(self) -> tuple[str, ...]:
        return getattr(self.settings, self.account_ids_field)

    @classmethod
    def is_configured(cls, env: Mapping[str, str]) -> bool:
        return Env(env).has(cls.main_credential)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AdPlatformSource:
        return cls(cls.settings_class.from_env(env))

    def cursor_key(self, stream: str) -> tuple[str, str]:
        return CURSOR_SOURCE, f"{self.name}:{stream}"

    # --- public ---------------------------------------------------------------------

    def read(self, stream: str, since: str | None) -> Iterator[Batch]:
        """Yield batches of raw rows for `stream` (one of `streams`), account by account.

        "performance": daily rows for the days `window` gives: from the start date when
        `since` is None, else from `since` (the last day loaded, normally the max
        `date_day` landed) minus the look-back days, to yesterday in the account's time
        zone. "campaigns": every campaign, read in full (`since` is ignored). Commit a
        cursor only once the generator is exhausted.
        """
        if stream not in self.streams:
            raise ValueError(f"unknown {self.label} stream {stream!r}: expected one of {', '.join(self.streams)}")
        for account_id in self.account_ids:
            account = self.account(account_id)
            if stream == "campaigns":
                pages, table = self._campaign_pages(account), CAMPAIGNS_TABLE
            else:
                window = self.window(account_id, since)
                if window is None:
                    continue
                pages, table = self._performance_pages(account, *window), PERFORMANCE_TABLE
            for rows in pages:
                if rows:
                    yield {table: rows}

    def account(self, account_id: str) -> Account:
        """The account's currency and time zone (one request, then cached)."""
        if account_id not in self._accounts:
            self._accounts[account_id] = self._fetch_account(account_id)
        return self._accounts[account_id]

    def window(self, account_id: str, since: str | None) -> tuple[date, date] | None:
        """The days a performance read covers for this account, or None if none."""
        s = self.settings
        return report_window(since, start_date=s.start_date, lookback_days=s.lookback_days, now=self._now(),
                             timezone_name=self.account(account_id).timezone)

    # --- what each platform implements ------------------------------------------------

    @classmethod
    def _normalized(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        """Keyword overrides in the settings' own form (ids without dashes or prefixes)."""
        field = cls.account_ids_field
        if field in overrides:
            overrides[field] = cls.normalize_account_ids(overrides[field], field)
        return overrides

    def _open(self, session: Session) -> None:
        """Set up the platform's REST client on `session`, with its response check."""
        raise NotImplementedError

    def _fetch_account(self, account_id: str) -> Account:
        raise NotImplementedError

    def _campaign_pages(self, account: Account) -> Iterator[list[Row]]:
        raise NotImplementedError

    def _performance_pages(self, account: Account, first: date, last: date) -> Iterator[list[Row]]:
        raise NotImplementedError
