"""Local fakes of the vendor APIs, on 127.0.0.1, serving canonical tables: the demo's
systems and the connectors' test doubles.

One module per vendor (hubspot, salesforce, google_ads, meta_ads, linkedin_ads), each
a FakeApi (base.py: lifecycle, request log, failure queue, replies) that answers the
requests its connector sends, in the vendor's documented shapes and limits, and
refuses anything else in the vendor's own error format. ad_platforms.py holds what
the three ad platform fakes share (the canonical ads rows, restatements).
"""

from .base import TRUNCATED, FakeApi, Reply, Request

__all__ = ["TRUNCATED", "FakeApi", "Reply", "Request"]
