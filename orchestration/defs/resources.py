"""Resources: where the warehouse lives, and the demo world served like real systems."""


from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource
from pydantic import PrivateAttr

from connectors._shared.source import Source
from connectors.demo.systems import DemoSystems
from orchestration import settings as settings_mod
from orchestration.defs.dbt_project import dbt_executable, touchline_dbt_project


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
    """The generated demo world, served the way real systems serve it, for one run.

    With TOUCHLINE_SOURCE=demo, each run starts connectors.demo.systems.DemoSystems for
    TOUCHLINE_DEMO_SEED, TOUCHLINE_DEMO_PEOPLE and TOUCHLINE_DEMO_CRM (its web events
    as files in TOUCHLINE_DEMO_DIR, its CRM and ad platforms as local APIs), and stops
    it when the run ends.
    """

    _systems: DemoSystems | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        s = settings_mod.load()
        if s.source == "demo":
            self._systems = DemoSystems(people=s.demo_people, seed=s.demo_seed, crm=s.demo_crm,
                                        files_dir=s.demo_dir).start()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._systems is not None:
            self._systems.stop()

    @property
    def active(self) -> bool:
        return self._systems is not None

    def sources(self) -> list[Source]:
        """Connectors for the demo's APIs (none when the demo is not running)."""
        return self._systems.sources() if self._systems is not None else []

    @property
    def files_dir(self) -> Path | None:
        return self._systems.files_dir if self._systems is not None else None


def resources() -> dict:
    return {
        "warehouse": WarehouseResource(),
        "demo": DemoWorldResource(),
        "dbt": DbtCliResource(project_dir=touchline_dbt_project, dbt_executable=dbt_executable()),
    }
