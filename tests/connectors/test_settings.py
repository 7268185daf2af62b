"""The one settings parser (connectors._shared.settings.Env) every connector and
orchestration/settings.py use: defaults, types, and messages that name the variable."""

from __future__ import annotations

from datetime import date

import pytest

from connectors._shared.settings import Env, SettingsError
from connectors.google_ads import SettingsError as GoogleSettingsError
from connectors.hubspot.settings import SettingsError as HubSpotSettingsError
from connectors.salesforce import SettingsError as SalesforceSettingsError


def test_one_settings_error_for_every_connector():
    assert GoogleSettingsError is HubSpotSettingsError is SalesforceSettingsError is SettingsError


def test_unset_and_blank_variables_take_their_defaults():
    env = Env({"A": "  ", "B": ""})

    assert (env.text("A", "x"), env.text("B"), env.text("C", "y")) == ("x", None, "y")
    assert env.number("A", 7) == 7 and env.date("B", "2026-01-01") == date(2026, 1, 1)
    assert env.list("A") == () and env.choice("C", "demo", ("demo", "live")) == "demo"
    assert not env.has("A") and Env({"A": "1", "B": "2"}).has("A", "B")


def test_values_are_read_as_their_types():
    env = Env({"N": " 12 ", "F": "0.25", "D": "2026-03-01", "L": " a, ,b ,c,", "C": "LIVE", "T": " x "})

    assert (env.number("N", 0), env.number("F", 0.0, float)) == (12, 0.25)
    assert env.date("D", "2026-01-01") == date(2026, 3, 1)
    assert env.list("L") == ("a", "b", "c")
    assert env.choice("C", "demo", ("demo", "live")) == "live"
    assert env.text("T") == "x"


@pytest.mark.parametrize("values, read, message", [
    ({"X_PAGE_SIZE": "lots"}, lambda e: e.number("X_PAGE_SIZE", 1, minimum=1),
     "X_PAGE_SIZE='lots' is not a whole number: unset it or give a number"),
    ({"X_FACTOR": "fast"}, lambda e: e.number("X_FACTOR", 1.0, float),
     "X_FACTOR='fast' is not a number: unset it or give a number"),
    ({"X_PAGE_SIZE": "0"}, lambda e: e.number("X_PAGE_SIZE", 1, minimum=1), "X_PAGE_SIZE='0' must be at least 1"),
    ({"X_START": "01/03/2026"}, lambda e: e.date("X_START", "2026-01-01"),
     "X_START='01/03/2026' is not a date: give YYYY-MM-DD, e.g. 2026-01-01"),
    ({"X_SOURCE": "ftp"}, lambda e: e.choice("X_SOURCE", "demo", ("demo", "live")),
     "X_SOURCE='ftp' is not one of demo, live"),
])
def test_a_value_that_cannot_be_used_names_the_variable_and_the_fix(values, read, message):
    with pytest.raises(SettingsError) as error:
        read(Env(values))

    assert str(error.value) == message
