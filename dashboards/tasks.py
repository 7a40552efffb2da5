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


@shared_task
def refresh_district_dashboard(district_id: int) -> bool:
    """Count one district's dashboard again, behind a reader who was shown older figures."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return False
    snapshots.refresh_district_figures(district)
    return True
