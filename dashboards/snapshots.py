"""The dashboards' figures, kept in the cache between counts.

Counting every school of the largest district (a million students' consent, 150,000 staff's
disclosures) takes seconds, so the page reads the figures a periodic task computed
(`dashboards.tasks.refresh_district_dashboards`) and says when. Figures of the day older than
DASHBOARD_FIGURES_MAX_AGE_SECONDS are still shown while one background task counts them again (so
no reader waits seconds); only missing figures, or figures of another day, are counted by the page
itself. The district's totals are kept apart as well (`district_summary`): the director's home page
needs them, not 1,870 rows.
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
from core.tasks import enqueue
from dashboards import selectors
from dashboards.selectors import DistrictFigures, DistrictSummary, SchoolDashboard

logger = logging.getLogger(__name__)

# Bump when DistrictFigures changes shape, so figures pickled by the previous release are ignored.
VERSION = 3


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


_Cached = TypeVar("_Cached", DistrictFigures, DistrictSummary, SchoolDashboard)


def _fresh(figures: object, kind: type[_Cached], on: datetime.date, max_age: int) -> TypeGuard[_Cached]:
    if not isinstance(figures, kind) or figures.on != on:
        return False
    return (timezone.now() - figures.computed_at).total_seconds() <= max_age


def _summary_key(district_id: int) -> str:
    return f"dashboards:district:{district_id}:summary:v{VERSION}"


# Figures of the day are kept this long, however old: shown (and recounted behind the reader) until then.
KEPT_SECONDS = 24 * 60 * 60


def district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    on = on or timezone.localdate()
    figures = _read(_key(district.pk))
    if _fresh(figures, DistrictFigures, on, settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS):
        return figures
    if _fresh(figures, DistrictFigures, on, KEPT_SECONDS):
        _recount_soon(district)  # today's figures, a while old: shown while a task counts them again
        return figures
    return refresh_district_figures(district, on)


def district_summary(district: District, on: datetime.date | None = None) -> DistrictSummary:
    """The district's totals as the dashboard shows them, without its rows."""
    on = on or timezone.localdate()
    summary = _read(_summary_key(district.pk))
    if _fresh(summary, DistrictSummary, on, settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS):
        return summary
    return DistrictSummary.of(district_figures(district, on))


def refresh_district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    figures = selectors.district_figures(district, on)
    _write(_key(district.pk), figures, KEPT_SECONDS)
    _write(_summary_key(district.pk), DistrictSummary.of(figures), KEPT_SECONDS)
    return figures


def _recount_soon(district: District) -> None:
    """Queue one recount of the district, however many readers find its figures old meanwhile."""
    from dashboards.tasks import refresh_district_dashboard  # the task module imports this one

    try:
        lock = f"dashboards:district:{district.pk}:recounting"
        claimed = cache.add(lock, True, settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS)
    except Exception:  # the cache is a convenience (see _read)
        claimed = False
    if claimed:
        enqueue(refresh_district_dashboard, district.pk)


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
