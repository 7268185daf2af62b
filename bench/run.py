"""Benchmarks: how long and how much memory each stage takes, at a few world sizes.

    make bench                        # 3,000 and 20,000 people
    .venv/bin/python bench/run.py --people 50000

For each size: generate the world, write it as exports, then run the real pipeline
(`touchline build --source files`, in process through Dagster) twice: a first load
and a no-change re-run. Prints a table and writes bench/results/<utc time>.json.
Step times come from Dagster's own step events. Peak memory is the process's
maximum resident set (dbt runs in a child process and is reported separately).
Tests never assert these figures; this is where they live.
"""

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _steps(run_id: str) -> dict[str, float]:
    import dagster as dg

    from orchestration.cli import _instance

    out: dict[str, float] = {}
    with _instance() as instance:
        starts: dict[str, float] = {}
        for rec in instance.get_records_for_run(run_id).records:
            ev = rec.event_log_entry
            if not ev.dagster_event:
                continue
            if ev.dagster_event.event_type == dg.DagsterEventType.STEP_START:
                starts[ev.step_key] = ev.timestamp
            elif ev.dagster_event.event_type == dg.DagsterEventType.STEP_SUCCESS:
                out[ev.step_key] = ev.timestamp - starts.get(ev.step_key, ev.timestamp)
    return out


def bench(people: int, seed: int, work: Path) -> dict:
    from connectors.demo.files import write_files
    from connectors.demo.world import generate
    from orchestration import cli

    row: dict = {"people": people}
    t = time.perf_counter()
    world = generate(people=people, seed=seed)
    row["generate_s"] = round(time.perf_counter() - t, 2)
    row["web_events"] = len(world.tables["web_events"])
    t = time.perf_counter()
    write_files(world, work / "exports")
    row["write_files_s"] = round(time.perf_counter() - t, 2)
    del world

    os.environ.update({"TOUCHLINE_SOURCE": "files", "TOUCHLINE_FILES_DIR": str(work / "exports"),
                       "TOUCHLINE_WAREHOUSE": str(work / "wh" / "touchline.duckdb")})
    for label in ("first_build", "rerun"):
        t = time.perf_counter()
        ok, failures, run_id = cli.run_build()
        row[f"{label}_s"] = round(time.perf_counter() - t, 2)
        if not ok:
            raise SystemExit(f"{label} failed at {people} people: {failures}")
        row[f"{label}_steps_s"] = {k: round(v, 2) for k, v in _steps(run_id).items()}
    row["published_mb"] = round((work / "wh" / "touchline.duckdb").stat().st_size / 1e6, 1)
    row["peak_rss_mb_self"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    row["peak_rss_mb_children"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 0)
    return row


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, nargs="*", default=[3000, 20000])
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    from orchestration.settings import quiet_telemetry

    quiet_telemetry()
    os.environ.pop("DAGSTER_HOME", None)
    results = []
    for n in args.people:
        with tempfile.TemporaryDirectory(prefix="touchline-bench-") as d:
            r = bench(n, args.seed, Path(d))
        results.append(r)
        print(json.dumps(r, indent=2), flush=True)
    print("\npeople   generate  write   first build  re-run  published  peak RSS (self/dbt)")
    for r in results:
        print(f"{r['people']:>7,}  {r['generate_s']:>7.1f}s {r['write_files_s']:>5.1f}s  {r['first_build_s']:>9.1f}s "
              f"{r['rerun_s']:>6.1f}s  {r['published_mb']:>7.1f} MB  {r['peak_rss_mb_self']:.0f}/{r['peak_rss_mb_children']:.0f} MB")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    meta = {"when": stamp, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    (out / f"{stamp}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"\nwritten to bench/results/{stamp}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
