from celery import shared_task

from accounts import services


@shared_task(acks_late=True)
def run_roster_import(roster_import_id: int) -> None:
    services.roster_import_run(roster_import_id=roster_import_id)
