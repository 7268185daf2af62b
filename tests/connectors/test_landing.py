"""The landing step: rules, quarantine, merge by key, no-op re-runs, cursors."""

import pytest

from connectors._shared import landing as L
from connectors.registry import ALL_TABLES, spec


@pytest.fixture
def con():
    c = L.connect(":memory:")
    L.ensure_raw_tables(c, ALL_TABLES)
    yield c
    c.close()


def contacts(*rows):
    return L.rows_to_arrow(list(rows))


GOOD = dict(contact_id="C1", email="a@x.com", created_at="2026-01-01T10:00:00Z", updated_at="2026-01-02T00:00:00Z")


def test_good_rows_load_and_bad_rows_go_to_quarantine_with_rule_and_reason(con):
    batch = contacts(GOOD, dict(contact_id="C2", created_at="yesterday"), dict(contact_id="", created_at="2026-01-01"))
    r = L.land(con, spec("crm_contacts"), batch, load_id="L1", source="test")
    assert (r.inserted, r.quarantined) == (1, 2)
    assert con.execute("select contact_id from raw.crm_contacts").fetchall() == [("C1",)]
    rejected = dict(con.execute("select _rule, _reason from quarantine.crm_contacts").fetchall())
    assert rejected["type"] == "created_at 'yesterday' is not an ISO 8601 timestamp (e.g. 2026-03-01T12:00:00Z)"
    assert rejected["required"].startswith("contact_id is empty")


def test_rerunning_the_same_load_changes_nothing(con):
    batch = contacts(GOOD, dict(contact_id="C2", created_at="yesterday"))
    L.land(con, spec("crm_contacts"), batch, load_id="L1", source="test")
    before = con.execute("select * from raw.crm_contacts").fetchall()
    r = L.land(con, spec("crm_contacts"), batch, load_id="L2", source="test")
    assert (r.inserted, r.updated, r.unchanged) == (0, 0, 1)
    assert con.execute("select * from raw.crm_contacts").fetchall() == before
    assert con.execute("select count(*) from quarantine.crm_contacts").fetchone()[0] == 1


def test_a_changed_row_replaces_the_old_version_by_key(con):
    L.land(con, spec("crm_contacts"), contacts(GOOD), load_id="L1", source="test")
    r = L.land(con, spec("crm_contacts"), contacts({**GOOD, "email": "new@x.com"}), load_id="L2", source="test")
    assert (r.inserted, r.updated) == (0, 1)
    assert con.execute("select email, _load_id from raw.crm_contacts").fetchall() == [("new@x.com", "L2")]


def test_identical_redeliveries_are_dropped_and_conflicting_duplicates_quarantined(con):
    older = {**GOOD, "email": "old@x.com", "updated_at": "2026-01-01T00:00:00Z"}
    r = L.land(con, spec("crm_contacts"), contacts(GOOD, GOOD, older), load_id="L1", source="test")
    assert (r.inserted, r.duplicates_dropped, r.quarantined) == (1, 1, 1)
    assert con.execute("select email from raw.crm_contacts").fetchall() == [("a@x.com",)]
    rule, reason = con.execute("select _rule, _reason from quarantine.crm_contacts").fetchone()
    assert rule == "duplicate_key" and "contact_id=C1" in reason


def test_unknown_columns_are_kept_not_refused(con):
    L.land(con, spec("crm_contacts"), contacts({**GOOD, "favourite_colour": "teal"}), load_id="L1", source="t")
    assert con.execute("select favourite_colour from raw.crm_contacts").fetchone() == ("teal",)


def test_a_missing_required_column_quarantines_every_row_naming_the_column(con):
    r = L.land(con, spec("crm_contacts"), contacts(dict(contact_id="C1", email="a@x.com")), load_id="L1", source="t")
    assert r.quarantined == 1
    assert "required column created_at is missing" in con.execute("select _reason from quarantine.crm_contacts").fetchone()[0]


def test_value_sets_and_types_are_enforced(con):
    batch = L.rows_to_arrow([
        dict(activity_id="A1", activity_type="CALL", occurred_at="2026-01-01T00:00:00Z", direction="outbound"),
        dict(activity_id="A2", activity_type="fax", occurred_at="2026-01-01T00:00:00Z"),
        dict(activity_id="A3", activity_type="call", occurred_at="2206-01-01T00:00:00Z"),
    ])
    r = L.land(con, spec("crm_activities"), batch, load_id="L1", source="t")
    assert (r.inserted, r.quarantined) == (1, 2)
    rules = sorted(x[0] for x in con.execute("select _rule from quarantine.crm_activities").fetchall())
    assert rules == ["timestamp_range", "value_set"]


def test_the_cursor_is_saved_with_the_rows_and_only_moves_forward(con):
    s = spec("crm_contacts")
    L.land(con, s, contacts(GOOD), load_id="L1", source="src", cursor_stream="contacts")
    assert L.get_cursor(con, "src", "contacts") == "2026-01-02T00:00:00Z"
    older = {**GOOD, "contact_id": "C0", "updated_at": "2025-06-01T00:00:00Z"}
    L.land(con, s, contacts(older), load_id="L2", source="src", cursor_stream="contacts")
    assert L.get_cursor(con, "src", "contacts") == "2026-01-02T00:00:00Z"


def test_a_failed_landing_rolls_back_everything(con, monkeypatch):
    s = spec("crm_contacts")
    monkeypatch.setattr(L, "set_cursor", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        L.land(con, s, contacts(GOOD), load_id="L1", source="src", cursor_stream="contacts")
    assert con.execute("select count(*) from raw.crm_contacts").fetchone()[0] == 0


def test_a_column_added_by_a_later_batch_does_not_make_earlier_rows_look_changed(con):
    s = spec("crm_contacts")
    L.land(con, s, contacts(GOOD), load_id="L1", source="t")
    L.land(con, s, contacts({**GOOD, "contact_id": "C9", "favourite_colour": "teal"}), load_id="L2", source="t")
    r = L.land(con, s, contacts(GOOD), load_id="L3", source="t")
    assert (r.inserted, r.updated, r.unchanged) == (0, 0, 1)
