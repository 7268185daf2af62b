"""The dbt project's conventions, checked over every model (static: no dbt run).

Layers point one way (staging -> intermediate -> marts), every model is described in
the YAML of its own folder with its grain first, names say the layer, marts have
enforced contracts, and every var a model reads has a declared default.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
MODELS = PROJECT / "models"
# The public tables of schema marts whose names are not fct_/dim_ (CONTRACT names).
MART_NAMES = {"customer_journey", "journey_summary", "account_journey", "account_summary"}
REF = re.compile(r"""\bref\(\s*['"](\w+)['"]\s*\)""")
VAR = re.compile(r"""\bvar\(\s*['"](\w+)['"]""")


def model_files() -> dict[str, Path]:
    files = {p.stem: p for p in MODELS.rglob("*") if p.suffix in (".sql", ".py")}
    assert len(files) == len([p for p in MODELS.rglob("*") if p.suffix in (".sql", ".py")]), "a model name repeats"
    return files


def layer(path: Path) -> str:
    return path.relative_to(MODELS).parts[0]


def described() -> dict[str, tuple[Path, dict]]:
    out = {}
    for yml in MODELS.rglob("_*.yml"):
        for model in (yaml.safe_load(yml.read_text()) or {}).get("models", []):
            assert model["name"] not in out, f"{model['name']} is described twice"
            out[model["name"]] = (yml, model)
    return out


def test_every_model_is_described_in_its_own_folder_with_its_grain_first():
    files, docs = model_files(), described()
    assert set(files) == set(docs), f"no YAML: {set(files) - set(docs)}; no model: {set(docs) - set(files)}"
    for name, path in files.items():
        yml, model = docs[name]
        assert yml.parent == path.parent, f"{name} is described in {yml}, not beside it"
        assert yml.name.startswith("_") and yml.name.endswith("__models.yml"), yml
        assert model["description"].startswith("One row per"), name


def test_model_names_say_their_layer():
    for name, path in model_files().items():
        expected = {"staging": ("stg_", "base_"), "intermediate": ("int_",), "marts": ("fct_", "dim_"),
                    "semantic": ("dim_",)}[layer(path)]
        assert name.startswith(expected) or (layer(path) == "marts" and name in MART_NAMES), name


def test_layers_point_one_way_and_no_intermediate_model_reads_a_mart():
    files = model_files()
    order = {"staging": 0, "intermediate": 1, "marts": 2, "semantic": 2}
    for name, path in files.items():
        for target in REF.findall(path.read_text()):
            if target not in files:  # a seed
                continue
            assert order[layer(files[target])] <= order[layer(path)], f"{name} refs {target}"
            if layer(path) == "intermediate":
                assert layer(files[target]) != "marts", f"intermediate {name} refs mart {target}"
    assert not any(p.name == "intermediate" for p in (MODELS / "marts").rglob("*") if p.is_dir())


def test_every_mart_has_an_enforced_contract_documented_column_by_column():
    docs = described()
    for name, path in model_files().items():
        if layer(path) not in ("marts", "semantic"):
            continue
        _, model = docs[name]
        assert model["config"]["contract"]["enforced"] is True, name
        for column in model["columns"]:
            assert column.get("data_type") and column.get("description"), f"{name}.{column['name']}"


def test_every_var_read_has_a_declared_default_is_documented_and_every_declared_var_is_read():
    declared = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    sources = [*MODELS.rglob("*.sql"), *MODELS.rglob("*.py"), *(PROJECT / "macros").glob("*.sql"),
               *(PROJECT / "tests").glob("*.sql")]
    used = {v for path in sources for v in VAR.findall(path.read_text())}
    assert used - set(declared) == set(), "read but not declared in dbt_project.yml"
    assert set(declared) - used == set(), "declared but read nowhere"
    readme = (PROJECT / "README.md").read_text()
    for name in used:
        assert f"`{name}`" in readme, f"var {name} is not in dbt_project/README.md"
