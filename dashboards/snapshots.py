"""The dashboards' figures, kept in the cache between counts.

Counting every school of the largest district (a million students' consent, 150,000 staff's
disclosures) takes seconds, so the page reads the figures a periodic task computed
(`dashboards.tasks.refresh_district_dashboards`) and says when. When they are missing, from
another day or older than DASHBOARD_FIGURES_MAX_AGE_SECONDS, the page computes them itself.
A school's dashboard is counted when its reader opens it and kept for that reader for
DASHBOARD_SCHOOL_MAX_AGE_SECONDS (a minute by default): reloading it, or a principal going back
and forth, does not count the school again. The page says when its figures were counted.
A cache that cannot be reached only costs the time of counting again.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from typing import TypeGuard, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import District, School, User
from compliance.readers import Reader
from dashboards import selectors
from dashboards.selectors import DistrictFigures, SchoolDashboard

logger = logging.getLogger(__name__)

# Bump when DistrictFigures changes shape, so figures pickled by the previous release are ignored.
VERSION = 2


def _key(district_id: int) -> str:
    return f"dashboards:district:{district_id}:v{VERSION}"


def _read(key: str) -> object:
    try:
        return cache.get(key)
    except Exception:  # the cache is a convenience: an unreachable one must not break the page
        logger.warning("The dashboard cache could not be read; counting again.", exc_info=True)
        return None


def _write(key: str, value: object, seconds: int) -> None:
    try:
        cache.set(key, value, timeout=seconds)
    except Exception:
        logger.warning("The dashboard cache could not be written.", exc_info=True)


_Cached = TypeVar("_Cached", DistrictFigures, SchoolDashboard)


def _fresh(figures: object, kind: type[_Cached], on: datetime.date, max_age: int) -> TypeGuard[_Cached]:
    if not isinstance(figures, kind) or figures.on != on:
        return False
    return (timezone.now() - figures.computed_at).total_seconds() <= max_age


def district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    on = on or timezone.localdate()
    figures = _read(_key(district.pk))
    if _fresh(figures, DistrictFigures, on, settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS):
        return figures
    return refresh_district_figures(district, on)


def refresh_district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    figures = selectors.district_figures(district, on)
    _write(_key(district.pk), figures, 2 * settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS)
    return figures


def school_dashboard(
    school: School,
    user: User,
    *,
    reader: Reader,
    names_of: QuerySet[User] | None,
    on: datetime.date | None = None,
) -> SchoolDashboard:
    """The school's dashboard as `user` may see it (kept per person: the names it shows and the
    steps it offers depend on who reads it)."""
    on = on or timezone.localdate()
    key = f"dashboards:school:{school.pk}:reader:{user.pk}:names:{names_of is not None}:v{VERSION}"
    dashboard = _read(key)
    if _fresh(dashboard, SchoolDashboard, on, settings.DASHBOARD_SCHOOL_MAX_AGE_SECONDS):
        return dashboard
    dashboard = selectors.school_dashboard(school, reader=reader, names_of=names_of, on=on)
    _write(key, dashboard, settings.DASHBOARD_SCHOOL_MAX_AGE_SECONDS)
    return dashboard


def rendered(figures: DistrictFigures, variant: str, render: Callable[[], str]) -> str:
    """HTML drawn from `figures` (a page of the sorted table), kept as long as the figures are:
    drawing 100 rows costs more than everything else the page does."""
    digest = hashlib.sha256(variant.encode()).hexdigest()[:32]
    key = f"dashboards:html:{figures.district_id}:{figures.computed_at.timestamp()}:{digest}:v{VERSION}"
    html = _read(key)
    if isinstance(html, str):
        return html
    html = render()
    _write(key, html, settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS)
    return html
