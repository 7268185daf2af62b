"""Publish the build warehouse where BI tools read it, atomically.

DuckDB allows one writer per file and no reader from another process while a writer
holds it, so the build never writes the file BI tools open. It builds
`warehouse/build/touchline.duckdb`; once every check has passed, this module copies
that file next to the published one and renames it over the published path. A
reader that holds the old file open keeps reading the old, whole snapshot (the
rename does not touch its open inode); the next connection sees the new one. No
reader ever sees a half-built state, and no reader can make the build fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb


def checkpoint(build_db: Path) -> None:
    """Fold the write-ahead log into the database file so a byte copy is complete."""
    con = duckdb.connect(str(build_db))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def publish(build_db: Path, published: Path) -> int:
    """Atomically replace `published` with a copy of `build_db`; return its size in bytes."""
    build_db, published = Path(build_db), Path(published)
    if not build_db.exists():
        raise FileNotFoundError(f"nothing to publish: {build_db} does not exist (run the build first)")
    checkpoint(build_db)
    published.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{published.name}.", suffix=".tmp", dir=published.parent)
    os.close(fd)
    try:
        shutil.copyfile(build_db, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, published)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return published.stat().st_size
