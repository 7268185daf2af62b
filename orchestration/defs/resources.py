"""Resources: where the warehouse lives, and the demo world served like real systems."""


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
    and TOUCHLINE_DEMO_PEOPLE, writes its ad and web exports as files, and serves its
    CRM through a local HubSpot CRM v3 API on 127.0.0.1 for the run's duration: the
    connectors that read them are the ones a real account uses.
    """

    _servers: list = PrivateAttr(default_factory=list)
    _urls: dict = PrivateAttr(default_factory=dict)
    _files_dir: Path | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        s = settings_mod.load()
        if s.source != "demo":
            return
        from connectors.demo.files import write_files
        from connectors.demo.world import generate

        world = generate(people=s.demo_people, seed=s.demo_seed)
        write_files(world, s.demo_dir, crm=False, ads=True, web=True)
        self._files_dir = s.demo_dir
        if s.demo_crm == "salesforce":
            from connectors.demo.salesforce_server import SalesforceServer

            server = SalesforceServer(world.tables, access_token=DEMO_TOKEN)
        else:
            from connectors.demo.hubspot_server import HubSpotServer

            server = HubSpotServer(world.tables, token=DEMO_TOKEN)
        self._urls[s.demo_crm] = server.start()
        self._servers.append(server)

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
