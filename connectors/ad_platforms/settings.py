"""The settings every ad platform has, read the same way for each.

`<PLATFORM>_START_DATE`: the first day a first run reads, default 2026-01-01.
`<PLATFORM>_LOOKBACK_DAYS`: days before the cursor re-read every run, default 7
(platforms restate recent days). `<PLATFORM>_MAX_ATTEMPTS` (default 5) and
`<PLATFORM>_BACKOFF_FACTOR` (seconds, default 1): retries of each request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from connectors._shared.settings import Env

DEFAULT_START_DATE = "2026-01-01"
DEFAULT_LOOKBACK_DAYS = 7
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_FACTOR = 1.0


@dataclass(frozen=True)
class AdPlatformSettings:
    """The fields every platform's settings dataclass starts with."""

    start_date: date
    lookback_days: int
    max_attempts: int
    backoff_factor: float

    @staticmethod
    def common(env: Env, prefix: str) -> dict[str, Any]:
        """The shared settings of the platform whose variables start with `prefix`."""
        return {
            "start_date": env.date(f"{prefix}START_DATE", DEFAULT_START_DATE),
            "lookback_days": env.number(f"{prefix}LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS, minimum=0),
            "max_attempts": env.number(f"{prefix}MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, minimum=1),
            "backoff_factor": env.number(f"{prefix}BACKOFF_FACTOR", DEFAULT_BACKOFF_FACTOR, float, minimum=0),
        }
