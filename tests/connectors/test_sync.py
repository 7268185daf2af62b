"""The sync loop (connectors._shared.sync), with hand-made sources: no HTTP, no Dagster.

Each fake source yields the pages it is given and records the `since` it was asked
for, so a test can see where a read started, what landed, and which cursor was saved.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors._shared import sync as S
from connectors._shared.landing import LandResult, connect, ensure_raw_tables, get_cursor, set_cursor
from connectors._shared.source import Source
from connectors._shared.spec import TIMESTAMP, TableSpec
from connectors.google_ads import GoogleAdsSettings, GoogleAdsSource
from connectors.hubspot import HubSpotSource
from connectors.linkedin_ads import LinkedInAdsSource
from connectors.registry import ALL_TABLES, API_GROUPS, spec
from connectors.salesforce import SalesforceSource

THINGS = TableSpec(name="test_things", group="test", entity="things", columns=("id", "updated_at", "note"),
                   key=("id",), required=("id",), types={"updated_at": TIMESTAMP}, cursor="updated_at")
THING_TAGS = TableSpec(name="test_thing_tags", group="test", entity="thing_tags", columns=("id", "tag"),
                       key=("id", "tag"), required=("id", "tag"))


class FakeSource(Source):
    """A source that yields `pages` (one batch each) for every stream, then raises
    `fail` if given; `asked` records (stream, since) per read."""

    label = "Fake"
    credentials = "FAKE_TOKEN"

    def __init__(self, name="fake", pages=(), *, tables=(THINGS, THING_TAGS), streams=("things",),
                 lookback=timedelta(0), fail: Exception | None = None):
        self.name = name
        self.streams = streams
        self.tables_by_stream = {stream: tables for stream in streams}
        self.cursor_lookback = lookback
        self.pages, self.fail, self.asked = list(pages), fail, []

    def read(self, stream, since):
        self.asked.append((stream, since))
        yield from self.pages
        if self.fail is not None:
            raise self.fail


def things(*stamps: str, start: int = 1) -> dict[str, list[dict]]:
    """One batch of test_things rows, ids counting from `start`, one per updated_at."""
    return {"test_things": [{"id": str(start + n), "updated_at": at} for n, at in enumerate(stamps)]}


@pytest.fixture
def con():
    c = connect(":memory:")
    ensure_raw_tables(c, (THINGS, THING_TAGS))
    yield c
    c.close()


def loads(con, table="test_things") -> list[tuple]:
    return con.execute("select source, rows_in from raw._touchline_loads where table_name = ? order by rowid",
                       [table]).fetchall()


# --- names and cursor keys ---------------------------------------------------------------


def test_every_load_is_named_by_its_connector_and_stream():
    assert S.load_name(HubSpotSource, "contacts") == "hubspot:contacts"
    assert S.load_name(SalesforceSource, "Lead") == "salesforce:Lead"
    # The ad platforms share one step; each load still names its platform.
    assert S.load_name(GoogleAdsSource, "campaigns") == "google_ads:campaigns"
    assert S.load_name(LinkedInAdsSource, "performance") == "linkedin_ads:performance"
    assert [group.name for group in API_GROUPS] == ["hubspot", "salesforce", "ads_api"]


def test_cursors_stay_where_existing_warehouses_keep_them():
    hubspot = HubSpotSource(base_url="http://127.0.0.1:9", token="t")
    salesforce = SalesforceSource(instance_url="http://127.0.0.1:9", access_token="t")
    google = GoogleAdsSource(GoogleAdsSettings.from_env({}), developer_token="d", client_id="c", client_secret="s",
                             refresh_token="r", customer_ids=("123",))

    assert hubspot.cursor_key("contacts") == ("hubspot", "contacts")
    assert salesforce.cursor_key("Lead") == ("salesforce", "Lead")
    assert google.cursor_key("performance") == ("ads_api", "google_ads:performance")
    assert (hubspot.cursor_lookback, salesforce.cursor_lookback, google.cursor_lookback) == (
        timedelta(minutes=10), timedelta(minutes=10), timedelta(0))


def test_salesforce_and_ad_loads_are_recorded_under_their_own_names(tmp_path):
    db = connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(db, ALL_TABLES)
    leads = [
        {"id": "00Q1", "created_date": "2024-03-01T10:00:00Z", "system_modstamp": "2024-03-01T10:00:00Z"},
        {"id": "00Q2", "created_date": "not a time", "system_modstamp": "2024-03-01T10:00:00Z"},
    ]
    campaigns = [{"platform": "google_ads", "account_id": "123", "campaign_id": "G-1", "campaign_name": "Brand"}]
    salesforce = FakeSource("salesforce", [{"salesforce_leads": leads}], streams=("Lead",),
                            tables=SalesforceSource.tables_by_stream["Lead"])
    google = FakeSource("google_ads", [{"ads_api_campaigns": campaigns}], streams=("campaigns",),
                        tables=GoogleAdsSource.tables_by_stream["campaigns"])

    S.sync(db, [salesforce, google], "run-1")

    assert db.execute("select source, table_name, rows_in from raw._touchline_loads order by table_name").fetchall() == [
        ("google_ads:campaigns", "ads_api_campaigns", 1), ("salesforce:Lead", "salesforce_leads", 2)]
    origin, rule = db.execute("select _origin, _rule from quarantine.salesforce_leads").fetchone()
    assert origin.startswith("salesforce:Lead row ") and rule == "type"
    assert db.execute("select count(*) from raw._touchline_loads where source like 'hubspot:%'").fetchone() == (0,)


def test_an_ad_platform_lands_only_rows_that_name_it_while_the_registry_accepts_every_platform(con):
    ensure_raw_tables(con, ALL_TABLES)
    rows = [{"platform": platform, "account_id": "123", "campaign_id": f"C-{n}"}
            for n, platform in enumerate(("google_ads", "meta_ads"))]
    google = FakeSource("google_ads", [{"ads_api_campaigns": rows}], streams=("campaigns",),
                        tables=GoogleAdsSource.tables_by_stream["campaigns"])

    S.sync(con, [google], "run-1")

    assert con.execute("select platform from raw.ads_api_campaigns").fetchall() == [("google_ads",)]
    assert con.execute("select platform, _rule from quarantine.ads_api_campaigns").fetchall() == [
        ("meta_ads", "value_set")]
    assert spec("ads_api_campaigns").value_sets == {"platform": ("google_ads", "meta_ads", "linkedin_ads")}


# --- the cursor ------------------------------------------------------------------------------


def test_a_first_sync_reads_everything_and_saves_the_largest_cursor_landed(con):
    source = FakeSource(pages=[things("2026-03-01T10:00:00Z", "2026-03-03T08:00:00Z"),
                               things("2026-03-02T12:00:00Z", start=3)])

    S.sync(con, [source], "run-1")

    assert source.asked == [("things", None)]
    assert get_cursor(con, "fake", "things") == "2026-03-03T08:00:00Z"
    assert con.execute("select count(*) from raw.test_things").fetchone() == (3,)


def test_the_next_sync_reads_from_the_saved_cursor_stepped_back_by_the_lookback(con):
    set_cursor(con, "fake", "things", "2026-03-03T08:00:00Z", "run-0")
    source = FakeSource(pages=[things("2026-03-03T09:00:00Z")], lookback=timedelta(minutes=10))

    S.sync(con, [source], "run-1")

    assert source.asked == [("things", "2026-03-03T07:50:00.000Z")]
    assert get_cursor(con, "fake", "things") == "2026-03-03T09:00:00Z"


def test_a_failure_part_way_leaves_the_old_cursor_so_the_next_run_reads_the_pages_again(con):
    set_cursor(con, "fake", "things", "2026-03-01T00:00:00Z", "run-0")
    pages = [things("2026-03-02T10:00:00Z"), things("2026-03-04T10:00:00Z", start=2)]
    broken = FakeSource(pages=pages, fail=ConnectionError("dropped"))

    # Flushing every row lands both pages before the read fails.
    with pytest.raises(ConnectionError):
        S.sync(con, [broken], "run-1", flush_rows=1)

    assert con.execute("select count(*) from raw.test_things").fetchone() == (2,)
    assert get_cursor(con, "fake", "things") == "2026-03-01T00:00:00Z"

    again = FakeSource(pages=pages)
    results = S.sync(con, [again], "run-2")

    assert again.asked == [("things", "2026-03-01T00:00:00Z")]
    assert S.merged(results["test_things"], "test_things", "run-2").unchanged == 2
    assert get_cursor(con, "fake", "things") == "2026-03-04T10:00:00Z"


def test_a_stream_whose_primary_table_got_no_rows_keeps_its_cursor(con):
    set_cursor(con, "fake", "things", "2026-03-01T00:00:00Z", "run-0")
    source = FakeSource(pages=[{"test_thing_tags": [{"id": "1", "tag": "vip"}]}])

    S.sync(con, [source], "run-1")

    assert get_cursor(con, "fake", "things") == "2026-03-01T00:00:00Z"
    assert con.execute("select id, tag from raw.test_thing_tags").fetchall() == [("1", "vip")]


# --- batches and results -------------------------------------------------------------------


def test_batches_are_buffered_and_landed_flush_rows_at_a_time(con):
    pages = [things(f"2026-03-01T0{n}:00:00Z", f"2026-03-01T0{n}:30:00Z", start=2 * n + 1) for n in range(5)]

    results = S.sync(con, [FakeSource(pages=pages)], "run-1", flush_rows=4)

    # 10 rows in pages of 2: a landing when the buffer reaches 4 rows, the rest at the end.
    assert [r.rows_in for r in results["test_things"]] == [4, 4, 2]
    assert loads(con) == [("fake:things", 4), ("fake:things", 4), ("fake:things", 2)]
    assert con.execute("select count(*) from raw.test_things").fetchone() == (10,)


def test_every_table_of_a_batch_lands_in_its_own_raw_table(con):
    page = {**things("2026-03-01T10:00:00Z"), "test_thing_tags": [{"id": "1", "tag": "a"}, {"id": "1", "tag": "b"}]}

    results = S.sync(con, [FakeSource(pages=[page])], "run-1")

    assert [r.rows_in for r in results["test_thing_tags"]] == [2]
    assert con.execute("select tag from raw.test_thing_tags order by tag").fetchall() == [("a",), ("b",)]


def test_sources_that_fill_one_table_are_merged_per_table_and_keep_their_own_cursors(con):
    early = FakeSource("first", [things("2026-03-05T10:00:00Z", "2026-03-06T10:00:00Z")])
    late = FakeSource("second", [things("2026-03-02T10:00:00Z", start=3)])

    results = S.sync(con, [early, late], "run-1")

    total = S.merged(results["test_things"], "test_things", "run-1")
    assert (len(results["test_things"]), total.rows_in, total.inserted) == (2, 3, 3)
    assert total.max_cursor == "2026-03-06T10:00:00Z"
    # Each source's cursor is the largest it landed itself, not the table's.
    assert get_cursor(con, "first", "things") == "2026-03-06T10:00:00Z"
    assert get_cursor(con, "second", "things") == "2026-03-02T10:00:00Z"


def test_a_batch_for_a_table_the_stream_does_not_declare_is_refused(con):
    source = FakeSource(pages=[{"test_others": [{"id": "1"}]}])

    with pytest.raises(ValueError, match="fake:things yielded rows for 'test_others'"):
        S.sync(con, [source], "run-1")


def test_every_stream_of_every_source_is_synced_in_order_and_logged(con):
    lines: list[str] = []
    first = FakeSource("first", [things("2026-03-01T10:00:00Z")], streams=("a", "b"))
    second = FakeSource("second", [], streams=("c",))

    S.sync(con, [first, second], "run-1", log=lines.append)

    assert [stream for stream, _ in first.asked + second.asked] == ["a", "b", "c"]
    assert lines == ["first:a: since=None rows=1 cursor=2026-03-01T10:00:00Z",
                     "first:b: since=None rows=1 cursor=2026-03-01T10:00:00Z",
                     "second:c: since=None rows=0 cursor=None"]


# --- pure helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize("cursor, minutes, expected", [
    ("2026-03-01T10:00:00Z", 10, "2026-03-01T09:50:00.000Z"),
    ("2026-03-01T10:00:00", 10, "2026-03-01T09:50:00.000Z"),          # naive: UTC
    ("2026-03-01T11:00:00+01:00", 90, "2026-03-01T08:30:00.000Z"),    # an offset: converted to UTC
    ("2026-03-01T10:00:00Z", 0, "2026-03-01T10:00:00Z"),               # no look-back: unchanged
    (None, 10, None),
])
def test_a_cursor_is_stepped_back_in_utc(cursor, minutes, expected):
    assert S.looked_back(cursor, timedelta(minutes=minutes)) == expected


def test_merged_adds_every_count_and_keeps_the_largest_cursor():
    a = LandResult(table="t", load_id="L", rows_in=5, inserted=3, updated=1, unchanged=1, quarantined=0,
                     duplicates_dropped=2, max_cursor="2026-03-02")
    b = LandResult(table="t", load_id="L", rows_in=4, inserted=0, updated=0, unchanged=2, quarantined=2,
                     duplicates_dropped=0, max_cursor="2026-03-01")

    total = S.merged([a, b], "t", "L")

    assert (total.rows_in, total.inserted, total.updated, total.unchanged, total.quarantined,
            total.duplicates_dropped, total.max_cursor) == (9, 3, 1, 3, 2, 2, "2026-03-02")
    assert S.merged([], "t", "L").max_cursor is None
