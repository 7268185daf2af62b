"""Resources: where the warehouse lives, and the demo world served like real systems."""


import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource
from pydantic import PrivateAttr

from orchestration import settings as settings_mod
from orchestration.defs.dbt_project import dbt_executable, touchline_dbt_project

DEMO_TOKEN = "demo-token"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB files: the build file every writer uses, and the published one BI reads.

    Paths come from the environment when the run starts (TOUCHLINE_WAREHOUSE,
    TOUCHLINE_BUILD_DB), so the CLI, the schedule and the UI all agree.
    """

    def settings(self) -> settings_mod.Settings:
        return settings_mod.load()

    @contextmanager
    def connect(self) -> Iterator:
        """A read-write connection to the build file, closed on exit (never held across steps)."""
        from connectors._shared.landing import connect

        path = self.settings().build_db
        path.parent.mkdir(parents=True, exist_ok=True)
        con = connect(str(path))
        try:
            yield con
        finally:
            con.close()


class DemoWorldResource(dg.ConfigurableResource):
    """The generated demo world, served the way real systems serve it.

    With TOUCHLINE_SOURCE=demo, each run generates the world for TOUCHLINE_DEMO_SEED
    and TOUCHLINE_DEMO_PEOPLE, writes its Segment web events as files, and serves its
    CRM through a local HubSpot CRM v3 API (or, with TOUCHLINE_DEMO_CRM=salesforce, a
    Salesforce org) and its ad platforms through local Google Ads, Meta and LinkedIn
    APIs on 127.0.0.1 for the run's duration: the connectors that read them are the
    ones a real account uses.
    """

    _servers: list = PrivateAttr(default_factory=list)
    _urls: dict = PrivateAttr(default_factory=dict)
    _files_dir: Path | None = PrivateAttr(default=None)
    _ads: dict = PrivateAttr(default_factory=dict)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        s = settings_mod.load()
        if s.source != "demo":
            return
        from connectors.demo.files import write_files
        from connectors.demo.world import generate

        world = generate(people=s.demo_people, seed=s.demo_seed)
        write_files(world, s.demo_dir, crm=False, ads=False, web=True)
        self._files_dir = s.demo_dir
        self._start_ads(world)
        if s.demo_crm == "salesforce":
            from connectors.demo.salesforce_server import SalesforceServer

            server = SalesforceServer(world.tables, access_token=DEMO_TOKEN)
        else:
            from connectors.demo.hubspot_server import HubSpotServer

            server = HubSpotServer(world.tables, token=DEMO_TOKEN)
        self._urls[s.demo_crm] = server.start()
        self._servers.append(server)

    def _start_ads(self, world) -> None:
        """Serve the world's ad platforms as local Google Ads, Meta and LinkedIn APIs."""
        from connectors.demo.ads_servers import GoogleAdsServer, LinkedInAdsServer, MetaAdsServer
        from connectors.google_ads import GoogleAdsSettings, GoogleAdsSource
        from connectors.linkedin_ads import LinkedInAdsSettings, LinkedInAdsSource
        from connectors.meta_ads import MetaAdsSettings, MetaAdsSource

        start = (world.params["end"] - dt.timedelta(days=world.params["days"])).date()
        google, meta, linkedin = GoogleAdsServer(world.tables), MetaAdsServer(world.tables), LinkedInAdsServer(world.tables)
        for server in (google, meta, linkedin):
            server.start()
            self._servers.append(server)
        self._ads = {
            "google_ads": lambda: GoogleAdsSource(
                GoogleAdsSettings.from_env({}), developer_token=google.developer_token, client_id=google.client_id,
                client_secret=google.client_secret, refresh_token=google.refresh_token,
                customer_ids=(google.customer_id,), base_url=google.base_url, token_url=google.token_url,
                start_date=start),
            "meta_ads": lambda: MetaAdsSource(
                MetaAdsSettings.from_env({}), access_token=meta.token, ad_account_ids=(meta.account_id,),
                base_url=meta.base_url, start_date=start, async_poll_seconds=0),
            "linkedin_ads": lambda: LinkedInAdsSource(
                LinkedInAdsSettings.from_env({}), access_token=linkedin.token,
                ad_account_ids=(linkedin.account_id,), base_url=linkedin.base_url, start_date=start),
        }

    def ads_clients(self) -> dict:
        """Connector clients for the demo's ad platform APIs, keyed by platform."""
        return {platform: make() for platform, make in self._ads.items()}

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        for server in self._servers:
            server.stop()

    @property
    def active(self) -> bool:
        return bool(self._urls)

    def url(self, system: str) -> str | None:
        """Base URL of the local API serving `system` ('hubspot', 'salesforce'), if any."""
        return self._urls.get(system)

    @property
    def token(self) -> str:
        return DEMO_TOKEN

    @property
    def files_dir(self) -> Path | None:
        return self._files_dir


def resources() -> dict:
    return {
        "warehouse": WarehouseResource(),
        "demo": DemoWorldResource(),
        "dbt": DbtCliResource(project_dir=touchline_dbt_project, dbt_executable=dbt_executable()),
    }
