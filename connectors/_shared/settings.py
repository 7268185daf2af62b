"""Reading settings from the environment: one parser, one error, for every connector
and for orchestration/settings.py.

`Env(environ)` wraps the environment (or any mapping, for tests and the demo) with
typed getters. A variable that is unset or blank takes its default, as an empty
line of .env.example means; a value that cannot be used raises SettingsError naming
the variable and the fix. Nothing is read at import time: a connector reads its
settings when a source is built, so tests and the demo can set the environment (or
pass arguments) after importing the package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date


class SettingsError(ValueError):
    """A setting has a value Touchline cannot use; the message names it and the fix."""


_KINDS = {int: "whole number", float: "number"}


class Env:
    """Typed reads of environment variables."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self._environ = os.environ if environ is None else environ

    def text(self, name: str, default: str | None = None) -> str | None:
        """The value, stripped; `default` when unset or blank."""
        return (self._environ.get(name) or "").strip() or default

    def has(self, *names: str) -> bool:
        """Whether every one of `names` is set (and not blank)."""
        return all(self.text(name) for name in names)

    def list(self, name: str) -> tuple[str, ...]:
        """A comma-separated list (spaces and empty items ignored)."""
        return tuple(item.strip() for item in (self._environ.get(name) or "").split(",") if item.strip())

    def number(self, name: str, default, kind: type = int, *, minimum=None):
        """An int (or float, with `kind=float`) of at least `minimum`, when one is given."""
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not a {_KINDS.get(kind, kind.__name__)}: unset it or give "
                                "a number") from None
        if minimum is not None and value < minimum:
            raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
        return value

    def date(self, name: str, default: str) -> date:
        """A YYYY-MM-DD date."""
        raw = self.text(name, default)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not a date: give YYYY-MM-DD, e.g. 2026-01-01") from None

    def choice(self, name: str, default: str, choices: Sequence[str]) -> str:
        """One of `choices`, compared case-insensitively."""
        value = self.text(name, default).lower()
        if value not in choices:
            raise SettingsError(f"{name}={value!r} is not one of {', '.join(choices)}")
        return value
