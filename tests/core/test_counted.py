"""Counts over a whole district are kept a short while per key, and a cache that cannot be
reached only costs counting again (core/counted.py)."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache

from core import counted as counted_module
from core.counted import counted


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_it_keeps_the_answer_for_the_seconds_asked():
    answers = iter([1, 2])
    first = counted("test:kept", lambda: next(answers), seconds=60)
    second = counted("test:kept", lambda: next(answers), seconds=60)
    assert (first.value, second.value) == (1, 1)
    assert second.counted_at == first.counted_at


def test_it_counts_on_every_request_when_asked_to_keep_nothing():
    answers = iter([1, 2])
    assert counted("test:live", lambda: next(answers), seconds=0).value == 1
    assert counted("test:live", lambda: next(answers), seconds=0).value == 2


def test_it_counts_again_once_the_answer_is_too_old():
    answers = iter([1, 2])
    start = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert counted("test:old", lambda: next(answers), seconds=60).value == 1
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        fresh = counted("test:old", lambda: next(answers), seconds=60)
    assert fresh.value == 2
    assert fresh.counted_at == start + datetime.timedelta(seconds=61)


def test_different_keys_do_not_share_an_answer():
    assert counted("test:reader:1", lambda: 1, seconds=60).value == 1
    assert counted("test:reader:2", lambda: 2, seconds=60).value == 2


def test_an_unreachable_cache_only_costs_counting_again():
    with (
        mock.patch.object(counted_module.cache, "get", side_effect=ConnectionError("down")),
        mock.patch.object(counted_module.cache, "set", side_effect=ConnectionError("down")),
    ):
        assert counted("test:down", lambda: 7, seconds=60).value == 7
