"""The file source on small hand-written exports, including bad rows."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors import files as F
from connectors._shared import landing as L
from connectors.files.tables import FILE_TABLES


@pytest.fixture
def con():
    c = L.connect(":memory:")
    L.ensure_raw_tables(c, FILE_TABLES)
    yield c
    c.close()


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


CONTACTS = (
    "Contact ID,Email,created_at,lead_score,favourite_colour\n"
    "C1,a@x.com,2026-01-01T10:00:00Z,10,teal\n"
    "C2,b@x.com,yesterday,20,red\n"
    "C3,c@x.com,2026-01-02\n"
    "C4,d@x.com,2026-01-02 09:00:00,5,blue\n"
)


def test_bad_csv_rows_land_in_quarantine_with_file_line_and_reason(tmp_path, con):
    write(tmp_path, "crm/contacts.csv", CONTACTS)
    res = F.load(con, tmp_path, load_id="L1")
    [r] = res["crm_contacts"]
    assert (r.rows_in, r.inserted, r.quarantined) == (4, 2, 2)
    got = dict(con.execute("select _origin, _reason from quarantine.crm_contacts").fetchall())
    assert got["crm/contacts.csv line 3"].startswith("created_at 'yesterday' is not an ISO 8601 timestamp")
    assert got["crm/contacts.csv line 4"] == "3 values where the header has 5: fix the quoting or the delimiter on that line"
    assert con.execute("select contact_id, email, favourite_colour from raw.crm_contacts order by 1").fetchall() == [
        ("C1", "a@x.com", "teal"), ("C4", "d@x.com", "blue")]


def test_reloading_the_same_files_changes_nothing(tmp_path, con):
    write(tmp_path, "crm/contacts.csv", CONTACTS)
    F.load(con, tmp_path, load_id="L1")
    snapshot = con.execute("select * from raw.crm_contacts order by contact_id").fetchall()
    assert F.load(con, tmp_path, load_id="L2") == {}
    assert con.execute("select * from raw.crm_contacts order by contact_id").fetchall() == snapshot
    assert con.execute("select count(*) from quarantine.crm_contacts").fetchone()[0] == 2


def test_a_folder_of_parquet_parts_is_one_table(tmp_path, con):
    for i in range(2):
        (tmp_path / "crm/accounts").mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"account_id": [f"A{i}"], "name": [f"Acme {i}"], "employee_count": [10 * i]}),
                       tmp_path / f"crm/accounts/part-{i}.parquet")
    res = F.load(con, tmp_path, load_id="L1")
    assert sum(r.inserted for r in res["crm_accounts"]) == 2
    assert con.execute("select employee_count from raw.crm_accounts order by 1").fetchall() == [("0",), ("10",)]


def test_segment_json_lines_are_parsed_with_nested_fields_kept_as_json(tmp_path, con):
    events = [
        {"messageId": "m1", "type": "page", "anonymousId": "a1", "timestamp": "2026-01-01T00:00:00Z",
         "context": {"page": {"url": "https://x.com/?utm_source=google"}}},
        {"message_id": "m2", "type": "identify", "anonymous_id": "a1", "timestamp": "2026-01-01T00:01:00Z",
         "traits": {"email": "A@x.com"}},
    ]
    write(tmp_path, "web/events/2026-01-01.jsonl",
          "\n".join(json.dumps(e) for e in events) + "\n{broken\n")
    [r] = F.load(con, tmp_path, load_id="L1")["web_events"]
    assert (r.inserted, r.quarantined) == (2, 1)
    rows = con.execute("select message_id, anonymous_id, traits, context->>'$.page.url' from raw.web_events order by 1").fetchall()
    assert rows == [("m1", "a1", None, "https://x.com/?utm_source=google"), ("m2", "a1", '{"email":"A@x.com"}', None)]
    assert con.execute("select _origin from quarantine.web_events").fetchone() == ("web/events/2026-01-01.jsonl line 3",)


def test_an_empty_or_missing_folder_names_the_layout_it_expected(tmp_path, con):
    with pytest.raises(F.FileSourceError, match="does not exist"):
        F.load(con, tmp_path / "nope", load_id="L1")
    with pytest.raises(F.FileSourceError, match="crm/accounts.csv"):
        F.load(con, tmp_path, load_id="L1")


def test_ga4_export_rows_land_with_nested_records_as_json(tmp_path, con):
    row = {"event_date": "20240301", "event_timestamp": 1709283600000000, "event_name": "page_view",
           "event_bundle_sequence_id": 7, "user_pseudo_id": "g1",
           "event_params": [{"key": "page_location", "value": {"string_value": "https://x.example/"}}],
           "collected_traffic_source": {"manual_source": "google", "gclid": "abc"}}
    write(tmp_path, "web/ga4_events/events_20240301.jsonl", json.dumps(row) + "\n")
    [r] = F.load(con, tmp_path, load_id="L1")["web_ga4_events"]
    assert (r.inserted, r.quarantined) == (1, 0)
    params, collected = con.execute("select event_params, collected_traffic_source from raw.web_ga4_events").fetchone()
    assert json.loads(params)[0]["key"] == "page_location" and json.loads(collected)["gclid"] == "abc"


def test_nested_parquet_columns_land_as_json_not_as_struct_literals(tmp_path, con):
    (tmp_path / "web/ga4_events").mkdir(parents=True)
    pq.write_table(pa.table({
        "event_timestamp": [1709283600000000], "event_name": ["page_view"], "user_pseudo_id": ["g1"],
        "event_params": [[{"key": "page_location", "value": {"string_value": "https://x.example/"}}]],
    }), tmp_path / "web/ga4_events/events_20240301.parquet")
    F.load(con, tmp_path, load_id="L1")
    params = con.execute("select event_params from raw.web_ga4_events").fetchone()[0]
    assert json.loads(params) == [{"key": "page_location", "value": {"string_value": "https://x.example/"}}]


def test_the_file_layout_doc_is_generated_from_the_table_specs():
    from pathlib import Path

    from connectors.files.layout_doc import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "file-layout.md"
    assert doc.read_text() == render(), "run: .venv/bin/python -m connectors.files.layout_doc > docs/file-layout.md"
