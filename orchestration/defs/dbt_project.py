"""The dbt project object, alone in its module.

`dagster-dbt project prepare-and-package --file orchestration/defs/dbt_project.py`
imports this module to build the manifest before the definitions can load (the
Makefile does it for `make demo`, `make dev` and `make test`).
"""

import sys
from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

touchline_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt next to this interpreter: a scheduler need not have the venv activated."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"
