"""The district dashboard's figures, kept in the cache between refreshes.

Counting every school of the largest district (a million students' consent, 150,000 staff's
disclosures) takes seconds, so the page reads the figures a periodic task computed
(`dashboards.tasks.refresh_district_dashboards`) and says when. When they are missing, from
another day or older than DASHBOARD_FIGURES_MAX_AGE_SECONDS, the page computes them itself.
A cache that cannot be reached only costs the time of counting again.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import District
from dashboards import selectors
from dashboards.selectors import DistrictFigures

logger = logging.getLogger(__name__)

# Bump when DistrictFigures changes shape, so figures pickled by the previous release are ignored.
VERSION = 1


def _key(district_id: int) -> str:
    return f"dashboards:district:{district_id}:v{VERSION}"


def _fresh(figures: object, on: datetime.date) -> bool:
    if not isinstance(figures, DistrictFigures) or figures.on != on:
        return False
    age = (timezone.now() - figures.computed_at).total_seconds()
    return age <= settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS


def district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    on = on or timezone.localdate()
    try:
        figures = cache.get(_key(district.pk))
    except Exception:  # the cache is a convenience: an unreachable one must not break the page
        logger.warning("The dashboard cache could not be read; counting again.", exc_info=True)
        figures = None
    if _fresh(figures, on):
        return figures
    return refresh_district_figures(district, on)


def refresh_district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    figures = selectors.district_figures(district, on)
    try:
        cache.set(_key(district.pk), figures, timeout=2 * settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS)
    except Exception:
        logger.warning("The dashboard cache could not be written.", exc_info=True)
    return figures
