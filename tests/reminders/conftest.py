"""Reminder fixtures: the disclosure world (an open 2026–27 cycle due December 1) and a clock."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.disclosures.conftest import cycle  # noqa: F401 - a fixture shared with the disclosure tests


@pytest.fixture
def on():
    """Travel to a day (at 3 p.m. UTC, as the disclosure tests do) inside a test."""

    def travel(day: datetime.date):
        return time_machine.travel(datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC), tick=False)

    return travel
