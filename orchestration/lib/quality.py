"""Great Expectations suites for the raw tables, built from their TableSpec.

One definition drives both gates: the landing step quarantines rows that break a
row rule, and the suite here validates what a load put in `raw` (read back as a
pandas DataFrame: GX's SQL datasource fails every metric on DuckDB, see
DECISIONLOG.md). GX returns results in its own order, so each expectation carries a
name in its `meta` and results are mapped back by that name.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass, field

import pandas as pd

from connectors._shared.landing import EARLIEST_PLAUSIBLE
from connectors._shared.spec import TIMESTAMP, TableSpec

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")


@dataclass
class SuiteResult:
    """The outcome of one table's suite on one load: a verdict and what failed."""

    table: str
    rows: int
    success: bool
    failures: list[dict] = field(default_factory=list)
    evaluated: int = 0

    def describe(self) -> str:
        if self.success:
            return f"{self.table}: {self.evaluated} expectations passed on {self.rows} rows"
        return f"{self.table}: " + "; ".join(f["description"] for f in self.failures)


@functools.lru_cache(maxsize=1)
def _context():
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


def columns_needed(s: TableSpec) -> list[str]:
    """The columns the suite of `s` reads: the only ones worth pulling into pandas
    (web events carry large JSON columns the suite never looks at)."""
    cols = [*s.required, *s.key, *s.value_sets,
            *(c for c, kind in s.types.items() if kind == TIMESTAMP)]
    return list(dict.fromkeys(cols))


def build_expectations(s: TableSpec, columns: set[str]) -> list:
    """The expectations of raw table `s`, each named in its meta.

    Required columns are expected whether or not `columns` has them (that is the
    point); value and range rules apply to the optional columns that are present.
    """
    import great_expectations.expectations as gxe

    ex: list = []

    def add(exp, name: str, description: str):
        exp.meta = {"name": name, "description": description}
        ex.append(exp)

    for c in s.required:
        add(gxe.ExpectColumnToExist(column=c), f"column_exists:{c}",
            f"required column {c} is missing: the source stopped sending it; map or restore it")
        add(gxe.ExpectColumnValuesToNotBeNull(column=c), f"not_null:{c}",
            f"{c} has empty values in raw")
    if len(s.key) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=s.key[0]), f"unique:{s.key[0]}",
            f"{s.key[0]} is not unique in this load")
    elif s.key:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(s.key)), "unique:" + "+".join(s.key),
            f"({', '.join(s.key)}) is not unique in this load")
    for c, allowed in s.value_sets.items():
        if c not in columns:
            continue
        add(gxe.ExpectColumnValuesToBeInSet(column=c, value_set=[a.lower() for a in allowed]),
            f"in_set:{c}", f"{c} has values outside {', '.join(allowed)}")
    low = dt.datetime.fromisoformat(EARLIEST_PLAUSIBLE).replace(tzinfo=dt.timezone.utc).timestamp()
    for c, kind in s.types.items():
        if kind == TIMESTAMP and c in columns:
            add(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=_tomorrow()),
                f"plausible_time:{c}", f"{c} has timestamps before {EARLIEST_PLAUSIBLE} or in the future")
    return ex


def _tomorrow() -> float:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).timestamp()


def prepare_frame(s: TableSpec, df: pd.DataFrame) -> pd.DataFrame:
    """Shape a raw read-back for the suite: value-set columns lowercased,
    timestamps as epoch seconds (GX compares numbers reliably across pandas versions)."""
    df = df.copy()
    for c in s.value_sets:
        if c in df:
            df[c] = df[c].str.lower()
    for c, kind in s.types.items():
        if kind == TIMESTAMP and c in df:
            ts = pd.to_datetime(df[c], utc=True, errors="coerce", format="mixed")
            df[c] = (ts - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    return df


def validate(s: TableSpec, df: pd.DataFrame) -> SuiteResult:
    """Run the suite of `s` on a DataFrame of raw rows and name what failed."""
    if df.empty:
        return SuiteResult(table=s.name, rows=0, success=True)
    import great_expectations as gx

    ctx = _context()
    name = f"raw_{s.name}"
    try:
        asset = ctx.data_sources.get("touchline").get_asset(name)
    except Exception:
        try:
            source = ctx.data_sources.get("touchline")
        except Exception:
            source = ctx.data_sources.add_pandas("touchline")
        asset = source.add_dataframe_asset(name=name)
    try:
        definition = asset.get_batch_definition("whole")
    except Exception:
        definition = asset.add_batch_definition_whole_dataframe("whole")
    batch = definition.get_batch(batch_parameters={"dataframe": prepare_frame(s, df)})
    suite = gx.ExpectationSuite(name=f"{name}_suite", expectations=build_expectations(s, set(df.columns)))
    outcome = batch.validate(suite, result_format="SUMMARY")
    failures = []
    for r in outcome.results:
        if r.success:
            continue
        meta = r.expectation_config.meta or {}
        res = r.result or {}
        detail = ""
        if res.get("unexpected_count"):
            sample = res.get("partial_unexpected_list") or []
            detail = f" ({res['unexpected_count']} rows, e.g. {sample[:3]})"
        if r.exception_info and r.exception_info.get("raised_exception"):
            detail = " (" + str(r.exception_info.get("exception_message", "")).splitlines()[0][:200] + ")"
        failures.append({"name": meta.get("name"), "description": meta.get("description", "") + detail})
    return SuiteResult(table=s.name, rows=len(df), success=not failures, failures=failures,
                       evaluated=len(outcome.results))
