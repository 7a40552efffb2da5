from celery import shared_task

from core.tasks import enqueue
from evidence import services


@shared_task(acks_late=True)
def build_evidence_pack(pack_id: int) -> None:
    services.evidence_pack_build(pack_id)


@shared_task(acks_late=True)
def delete_expired_evidence_packs() -> int:
    """Beat's tick: delete the files of packs past their keeping time, and queue again any pack the
    broker never got (building one twice is harmless: it is claimed)."""
    for pack_id in services.evidence_packs_stalled():
        if not enqueue(build_evidence_pack, pack_id):
            break
    return services.evidence_packs_delete_expired()
