"""Benchmark: the rollout walkthrough (tests/browser/test_rollout.py) at 10,000 staff and 100,000
students with as many parents (BENCH_SCALE scales it), printing the director's pages, clicks and
entries and the seconds of the system's own work: the roster import, the invitations, the links."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import chromium, visitors  # noqa: F401 - the browser journeys' fixtures
from tests.browser.test_rollout import run_walkthrough

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def test_rollout_walkthrough_at_the_size_of_a_large_district(visitors, live_server, settings, tmp_path):  # noqa: F811
    schools = max(2, int(40 * SCALE))
    figures = run_walkthrough(
        visitors,
        live_server,
        settings,
        tmp_path,
        schools=schools,
        staff=max(schools + 2, int(10_000 * SCALE)),
        students=max(10, int(100_000 * SCALE)),
        patience_ms=3_600_000,
    )
    assert figures["steps left"] == ["sign_in"]
