"""Publishing while a BI tool holds the published warehouse open."""

import subprocess
import sys
import textwrap

import duckdb

from orchestration.lib.publish import publish

READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from marts.t").fetchone()[0], flush=True)
    sys.stdin.readline()          # hold the file open until told to go on
    print(con.execute("select count(*) from marts.t").fetchone()[0], flush=True)
""")


def build(path, rows):
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.t as select * from range(?)", [rows])
    con.close()


def test_a_reader_holding_the_warehouse_open_neither_blocks_nor_sees_a_half_built_state(tmp_path):
    build_db, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    build_db.parent.mkdir()
    build(build_db, 10)
    publish(build_db, published)

    reader = subprocess.Popen([sys.executable, "-c", READER, str(published)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "10"
        build(build_db, 25)                      # the nightly build writes its own file...
        publish(build_db, published)             # ...and publishes while the reader holds the old one
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "10"   # the old snapshot, whole
    finally:
        reader.communicate(timeout=30)
    assert reader.returncode == 0
    fresh = duckdb.connect(str(published), read_only=True)
    assert fresh.execute("select count(*) from marts.t").fetchone()[0] == 25
    fresh.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
