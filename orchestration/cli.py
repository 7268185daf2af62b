"""`touchline`: build the whole pipeline in process through Dagster, and summarize it.

    touchline build --source demo
    touchline build --source files --files-dir exports/
    touchline summary

`build` runs the same job the nightly schedule runs (nightly_job), in this process,
and exits non-zero when a blocking check or a step fails, naming what failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from orchestration import settings as settings_mod

STAGES = ("visitor", "known", "lead", "mql", "sql", "opportunity", "customer")


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone)."""
    manifest = settings_mod.DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists():
        return
    from dbt.cli.main import dbtRunner

    d = str(settings_mod.DBT_PROJECT_DIR)
    res = dbtRunner().invoke(["parse", "--project-dir", d, "--profiles-dir", d, "--quiet"])
    if not res.success:
        raise SystemExit(f"dbt parse failed: {res.exception}")


def _instance():
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


class BuildResult(NamedTuple):
    ok: bool
    failures: list[str]
    run_id: str
    step_seconds: dict[str, float]


def run_build(log_level: str = "INFO") -> BuildResult:
    """Execute nightly_job in process: success, what failed (checks, steps), run id, step times.

    `log_level` is the console level of Dagster's run logs (the run's full event log
    is kept either way, and `make dev` shows it)."""
    import dagster as dg

    ensure_manifest()
    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_job")
    with _instance() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
        step_seconds = _step_seconds(instance, result.run_id)
    failures: list[str] = []
    for ev in result.all_events:
        if ev.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = ev.event_specific_data
            if not data.passed and data.severity == dg.AssetCheckSeverity.ERROR:
                failures.append(f"check {data.asset_key.to_user_string()}:{data.check_name} failed: "
                                f"{data.description or ''}")
        elif ev.event_type == dg.DagsterEventType.STEP_FAILURE:
            err = ev.event_specific_data.error
            msg = " ".join((err.message if err else "").split())
            failures.append(f"step {ev.step_key} failed: {msg[:600]}")
    return BuildResult(result.success, failures, result.run_id, step_seconds)


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    entries = (rec.event_log_entry for rec in instance.get_records_for_run(run_id, limit=100_000).records)
    return step_seconds((e.step_key, e.dagster_event.event_type.value, e.timestamp)
                        for e in entries if e.dagster_event is not None)


def step_seconds(events: Iterable[tuple[str | None, str, float]]) -> dict[str, float]:
    """Seconds from each step's start to its success, from (step key, Dagster event type,
    timestamp) in run order, to the hundredth; a step that never succeeded is left out
    (a success without a start counts as 0)."""
    starts: dict[str, float] = {}
    out: dict[str, float] = {}
    for step, event, at in events:
        if not step:
            continue
        if event == "STEP_START":
            starts[step] = at
        elif event == "STEP_SUCCESS":
            out[step] = round(at - starts.get(step, at), 2)
    return out


def summary(warehouse: Path, run_id: str | None = None) -> str:
    """A short, human summary of the published warehouse (read-only connection)."""
    import duckdb

    if not warehouse.exists():
        return f"No published warehouse at {warehouse} yet: run `touchline build` first."
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        lines = [f"Warehouse: {warehouse}  (schemas raw, staging, intermediate, marts, quarantine)"]
        people = con.execute("select count(*) from marts.dim_people").fetchone()[0]
        touches = con.execute("select count(*) from marts.fct_touchpoints").fetchone()[0]
        events = con.execute("select count(*) from marts.customer_journey").fetchone()[0]
        # A warehouse published before the account marts existed has none to count.
        has_accounts = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                                   "and table_name = 'account_summary'").fetchone()[0]
        accounts = con.execute("select count(*) from marts.account_summary").fetchone()[0] if has_accounts else 0
        if people == 0 and accounts > 0:
            lines.append("People: 0 (the CRM export has no contacts: the journey is account-based, "
                         "see marts.account_journey)")
            lines.append(f"Touchpoints: {touches:,}")
        else:
            lines.append(f"People: {people:,}   touchpoints: {touches:,}   journey events: {events:,}")
            lines.append("Funnel: people who reached each stage, and of those in the stage above, "
                         "the share who reached it")
            lines += _funnel_lines(con, "marts.journey_summary", skip_empty=False)
            lines.append("People by current stage: " + _current_stages(con, "marts.journey_summary"))
        if accounts:
            account_events = con.execute("select count(*) from marts.account_journey").fetchone()[0]
            lines.append(f"Accounts: {accounts:,}   account journey events: {account_events:,}")
            lines.append("Account funnel: accounts that reached each stage (visitor: first touch), and of those "
                         "in the line above, the share who reached it")
            lines += _funnel_lines(con, "marts.account_summary", skip_empty=True)
            lines.append("Accounts by current stage: " + _current_stages(con, "marts.account_summary"))
        where = "where load_id = ?" if run_id else ""
        q = con.execute(
            f"select table_name, sum(quarantined) from raw._touchline_loads {where} "
            f"group by 1 having sum(quarantined) > 0 order by 1", [run_id] if run_id else []
        ).fetchall()
        total = sum(n for _, n in q)
        lines.append(f"Set aside in quarantine this run: {total:,} rows"
                     + (" (" + ", ".join(f"quarantine.{t}={n:,}" for t, n in q) + ")" if q else ""))
        return "\n".join(lines)
    finally:
        con.close()


def _funnel_lines(con, table: str, skip_empty: bool) -> list[str]:
    """One line per stage of `table` (a summary with `<stage>_at` columns): how many
    reached it and, of those in the stage above (the line above), the share who did.
    With `skip_empty`, stages nobody reached are left out (an account-only export skips
    known to sql), so the share is of the last stage shown."""
    cols = ", ".join(f"count({s}_at)" for s in STAGES)
    reached = dict(zip(STAGES, con.execute(f"select {cols} from {table}").fetchone()))
    shown = [s for s in STAGES if reached[s] or not skip_empty]
    pairs = ", ".join(f"count(*) filter (where {a}_at is not null and {b}_at is not null)"
                      for a, b in zip(shown, shown[1:]))
    both = con.execute(f"select {pairs} from {table}").fetchone() if pairs else ()
    lines = []
    for i, stage in enumerate(shown):
        above = reached[shown[i - 1]] if i else 0
        conv = f"  {both[i - 1] / above:6.1%}" if above else ""
        lines.append(f"  {stage:<12}{reached[stage]:>8,}{conv}")
    return lines


def _current_stages(con, table: str) -> str:
    """'stage=n, ...' for the current stages in `table`, most common first."""
    rows = con.execute(
        f"select current_stage, count(*) from {table} where current_stage is not null "
        f"group by 1 order by 2 desc, 1").fetchall()
    return ", ".join(f"{s}={n:,}" for s, n in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="touchline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="extract, check, transform and publish (the nightly job, in process)")
    b.add_argument("--source", choices=settings_mod.SOURCES, default=None,
                   help="demo (generated world, default), files (your exports), live (every API connector "
                        "whose credentials are set, plus --files-dir if given), hubspot (live, HubSpot required)")
    b.add_argument("--files-dir", help="folder of exports in the layout of docs/file-layout.md")
    b.add_argument("--warehouse", help="published DuckDB file (default warehouse/touchline.duckdb)")
    b.add_argument("--people", type=int, help="demo: number of CRM contacts (default 3000)")
    b.add_argument("--seed", type=int, help="demo: random seed (default 42)")
    b.add_argument("--crm", choices=settings_mod.DEMO_CRMS, help="demo: which CRM API serves the world (default hubspot)")
    b.add_argument("--verbose", action="store_true", help="print Dagster's step and dbt logs as the build runs")
    sm = sub.add_parser("summary", help="summarize the published warehouse")
    sm.add_argument("--warehouse", help="published DuckDB file")
    args = parser.parse_args(argv)

    settings_mod.quiet_telemetry()
    for flag, var in (("source", "TOUCHLINE_SOURCE"), ("files_dir", "TOUCHLINE_FILES_DIR"),
                      ("warehouse", "TOUCHLINE_WAREHOUSE"), ("people", "TOUCHLINE_DEMO_PEOPLE"),
                      ("seed", "TOUCHLINE_DEMO_SEED"), ("crm", "TOUCHLINE_DEMO_CRM")):
        value = getattr(args, flag, None)
        if value is not None:
            os.environ[var] = str(value)
    try:
        s = settings_mod.load()
    except settings_mod.SettingsError as e:
        print(f"touchline: {e}", file=sys.stderr)
        return 2

    if args.command == "summary":
        print(summary(s.warehouse))
        return 0

    print(f"Building from source '{s.source}' into {s.build_db} ...", flush=True)
    if args.verbose:
        ok, failures, run_id, steps = run_build("DEBUG")
    else:
        # dbt's progress lines go to stdout; keep them in a log file, not on the screen.
        log_path = s.build_db.parent / "last_build.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("w") as log, contextlib.redirect_stdout(log):
            ok, failures, run_id, steps = run_build("ERROR")
        print(f"Build log: {log_path}")
    if not ok:
        print("\nBuild FAILED; the published warehouse was left as it was.", file=sys.stderr)
        for f in failures:
            print(f"  - {f}", file=sys.stderr)
        return 1
    print("Steps: " + ", ".join(f"{k} {v:.1f}s" for k, v in steps.items()))
    print()
    print(summary(s.warehouse, run_id))
    print("\nOpen it read-only from a BI tool or `duckdb -readonly " + str(s.warehouse) + "`;"
          " browse the assets with `make dev` (Dagster UI on http://127.0.0.1:3000).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
