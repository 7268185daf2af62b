"""The demo's systems: a generated world, served the way real systems serve it.

`DemoSystems(people=..., seed=..., crm=..., files_dir=...)` generates the world,
writes its Segment web events as export files, and on `start()` serves its CRM
through a local HubSpot CRM v3 API (or a Salesforce org) and its ad spend through
local Google Ads, Meta and LinkedIn APIs on 127.0.0.1, until `stop()`. `sources()`
gives the connectors for them, configured for the fakes: the same connectors a real
account uses, so the demo exercises every line a live run does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors._shared.source import Source

CRMS = ("hubspot", "salesforce")
TOKEN = "demo-token"
# The custom fields a Salesforce org needs for lead score, MQL date, loss reason and
# region (standard objects have none); the demo org has them.
SALESFORCE_EXTRA_FIELDS = ("Lead.Lead_Score__c,Lead.MQL_Date__c,Contact.Lead_Score__c,Contact.MQL_Date__c,"
                           "Opportunity.Loss_Reason__c,Account.Region__c")


class DemoSystems:
    """The demo world's CRM and ad platforms on loopback, and its web events as files."""

    def __init__(self, *, people: int, seed: int, crm: str, files_dir: Path):
        if crm not in CRMS:
            raise ValueError(f"demo CRM {crm!r} is not one of {', '.join(CRMS)}")
        self.people, self.seed, self.crm, self.files_dir = people, seed, crm, Path(files_dir)
        self._servers: list[Any] = []
        self._sources: list[Callable[[], Source]] = []

    def start(self) -> DemoSystems:
        from connectors.demo.files import write_files
        from connectors.demo.world import generate

        world = generate(people=self.people, seed=self.seed)
        write_files(world, self.files_dir, crm=False, ads=False, web=True)
        try:
            self._serve_crm(world)
            self._serve_ads(world)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers, self._sources = [], []

    def __enter__(self) -> DemoSystems:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def sources(self) -> list[Source]:
        """A fresh connector for every system served (none before `start`)."""
        return [make() for make in self._sources]

    def _serve(self, server: Any) -> Any:
        server.start()
        self._servers.append(server)
        return server

    def _serve_crm(self, world) -> None:
        if self.crm == "salesforce":
            from connectors.demo.fakes.salesforce import SalesforceServer
            from connectors.salesforce import SalesforceSource
            from connectors.salesforce.settings import extra_fields

            org = self._serve(SalesforceServer(world.tables, access_token=TOKEN))
            self._sources.append(lambda: SalesforceSource(instance_url=org.base_url, access_token=TOKEN,
                                                          extra_fields=extra_fields(SALESFORCE_EXTRA_FIELDS)))
        else:
            from connectors.demo.fakes.hubspot import HubSpotServer
            from connectors.hubspot import HubSpotSource

            portal = self._serve(HubSpotServer(world.tables, token=TOKEN))
            self._sources.append(lambda: HubSpotSource(base_url=portal.base_url, token=TOKEN))

    def _serve_ads(self, world) -> None:
        from connectors.demo.fakes.google_ads import GoogleAdsServer
        from connectors.demo.fakes.linkedin_ads import LinkedInAdsServer
        from connectors.demo.fakes.meta_ads import MetaAdsServer
        from connectors.google_ads import GoogleAdsSettings, GoogleAdsSource
        from connectors.linkedin_ads import LinkedInAdsSettings, LinkedInAdsSource
        from connectors.meta_ads import MetaAdsSettings, MetaAdsSource

        start = (world.params["end"] - dt.timedelta(days=world.params["days"])).date()
        google = self._serve(GoogleAdsServer(world.tables))
        meta = self._serve(MetaAdsServer(world.tables))
        linkedin = self._serve(LinkedInAdsServer(world.tables))
        self._sources += [
            lambda: GoogleAdsSource(
                GoogleAdsSettings.from_env({}), developer_token=google.developer_token, client_id=google.client_id,
                client_secret=google.client_secret, refresh_token=google.refresh_token,
                customer_ids=(google.customer_id,), base_url=google.base_url, token_url=google.token_url,
                start_date=start),
            lambda: MetaAdsSource(
                MetaAdsSettings.from_env({}), access_token=meta.token, ad_account_ids=(meta.account_id,),
                base_url=meta.base_url, start_date=start, async_poll_seconds=0),
            lambda: LinkedInAdsSource(
                LinkedInAdsSettings.from_env({}), access_token=linkedin.token,
                ad_account_ids=(linkedin.account_id,), base_url=linkedin.base_url, start_date=start),
        ]
