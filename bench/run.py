"""Benchmarks: how long and how much memory each stage takes, at a few world sizes.

    make bench                        # 3,000 and 20,000 people
    .venv/bin/python bench/run.py --people 50000

For each size: generate the world, write it as exports, then run the real pipeline
(`touchline build --source files`, in process through Dagster) twice: a first load
and a no-change re-run. Prints a table and writes bench/results/<utc time>.json.
Step times come from Dagster's own step events. Peak memory is this process's
maximum resident set since it started (so it includes the generator at that size;
dbt runs in a child process and is not counted).
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
        result = cli.run_build()
        row[f"{label}_s"] = round(time.perf_counter() - t, 2)
        if not result.ok:
            raise SystemExit(f"{label} failed at {people} people: {result.failures}")
        row[f"{label}_steps_s"] = result.step_seconds
    row["published_mb"] = round((work / "wh" / "touchline.duckdb").stat().st_size / 1e6, 1)
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
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
    print("\npeople   generate  write   first build  re-run  published  peak RSS")
    for r in results:
        print(f"{r['people']:>7,}  {r['generate_s']:>7.1f}s {r['write_files_s']:>5.1f}s  {r['first_build_s']:>9.1f}s "
              f"{r['rerun_s']:>6.1f}s  {r['published_mb']:>7.1f} MB  {r['peak_rss_mb']:.0f} MB")
        print("         steps, first build: " + ", ".join(f"{k} {v:.1f}s" for k, v in r["first_build_steps_s"].items()))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    meta = {"when": stamp, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    (out / f"{stamp}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"\nwritten to bench/results/{stamp}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
