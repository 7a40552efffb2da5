from celery import shared_task

from accounts import services
from core.tasks import enqueue


@shared_task(acks_late=True)
def run_roster_import(roster_import_id: int) -> None:
    services.roster_import_run(roster_import_id=roster_import_id)


@shared_task(acks_late=True)
def requeue_roster_imports() -> int:
    """Queues again the uploads the broker never got; running one twice is harmless (it is claimed)."""
    stalled = services.roster_imports_stalled()
    for roster_import_id in stalled:
        if not enqueue(run_roster_import, roster_import_id):
            break
    return len(stalled)


@shared_task(acks_late=True)
def run_due_roster_syncs() -> int:
    """Beat's tick: queue every district's sync that is due (claimed per sync, so overlap is harmless)."""
    due = services.roster_syncs_due()
    for sync_id in due:
        if not enqueue(run_roster_sync, sync_id):
            break
    return len(due)


@shared_task(acks_late=True)
def run_roster_sync(sync_id: int) -> None:
    services.roster_sync_run(sync_id=sync_id)


@shared_task(acks_late=True)
def announce_reserved_powers(district_id: int, changed_by_id: int, changes: dict[str, list[str]]) -> int:
    return services.reserved_powers_announce(district_id=district_id, changed_by_id=changed_by_id, changes=changes)
