from celery import shared_task

from accounts.models import District
from dashboards import snapshots


@shared_task
def refresh_district_dashboards() -> int:
    """Count every district's dashboard ahead of its readers (beat, every few minutes)."""
    refreshed = 0
    for district in District.objects.order_by("pk"):
        snapshots.refresh_district_figures(district)
        refreshed += 1
    return refreshed
