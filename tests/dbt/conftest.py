"""Fixtures for the dbt tests: build a raw world once per module, run `dbt build` on it."""

from __future__ import annotations

import duckdb
import pytest

import raw_world


def build_world(tmp_path_factory, name: str, *parts, extra_args: tuple[str, ...] = ()):
    """Write a world, run `dbt build` on it, fail with the failing nodes, return the db path."""
    work = tmp_path_factory.mktemp(name)
    db = work / "touchline.duckdb"
    raw_world.write_world(db, *parts)
    result, seconds = raw_world.run_dbt(db, work, "build", *extra_args)
    assert result.success, "dbt build failed:\n" + "\n".join(raw_world.failures(result))
    print(f"dbt build on world {name!r}: {seconds:.1f} s")
    return db


@pytest.fixture(scope="module")
def query_db():
    """Return a function that opens a built warehouse read-only and runs one query."""
    def query(db, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            con.execute("set TimeZone = 'UTC'")
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()
    return query
