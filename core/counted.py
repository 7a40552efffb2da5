"""Counts over a whole district, kept in the cache for a short while per reader.

A list page at the largest district (20,000 official accounts, 150,000 staff) spends most of its
time counting: the totals above the list, the per-school table, the number of pages. Those change
slowly, so each reader's counts are kept for COUNTS_MAX_AGE_SECONDS and the page says when they were
counted; the rows themselves are always read live. A cache that cannot be reached only costs the
time of counting again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)
T = TypeVar("T")
VERSION = 1  # bump when what a key holds changes shape


@dataclass(frozen=True)
class Counted(Generic[T]):
    value: T
    counted_at: datetime.datetime


def counted(key: str, count: Callable[[], T], *, seconds: int | None = None) -> Counted[T]:
    """`count()`'s answer, from the cache when it was counted less than `seconds` ago (default
    COUNTS_MAX_AGE_SECONDS). `key` must name everything the answer depends on (the reader among them)."""
    seconds = settings.COUNTS_MAX_AGE_SECONDS if seconds is None else seconds
    full_key = f"counted:{key}:v{VERSION}"
    if seconds > 0:
        try:
            kept = cache.get(full_key)
        except Exception:  # the cache is a convenience: an unreachable one must not break the page
            logger.warning("The counts cache could not be read; counting again.", exc_info=True)
            kept = None
        # The cache's expiry says the same; the page's own clock decides, whatever the cache kept.
        if isinstance(kept, Counted) and (timezone.now() - kept.counted_at).total_seconds() < seconds:
            return kept
    fresh = Counted(count(), timezone.now())
    if seconds > 0:
        try:
            cache.set(full_key, fresh, seconds)
        except Exception:
            logger.warning("The counts cache could not be written.", exc_info=True)
    return fresh
