"""Reminder fixtures: the disclosure world (an open 2026–27 cycle due December 1)."""

from __future__ import annotations

import pytest

from tests.disclosures.conftest import cycle  # noqa: F401 - a fixture shared with the disclosure tests


@pytest.fixture(autouse=True)
def _north_only(south_asks_for_no_disclosures):
    """The tests count North's reminders only; a district without this year's cycle is tested on its
    own (test_kinds.py)."""
