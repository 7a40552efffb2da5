from celery import shared_task

from tools import services


@shared_task(acks_late=True)
def send_technology_notice_to_families(notice_id: int, acting_user_id: int) -> int:
    """Claims the families' e-mails of a published notice (each guardian once a school year, so a
    task run twice owes nothing more)."""
    return services.technology_notice_send_to_families(acting_user_id=acting_user_id, notice_id=notice_id)
