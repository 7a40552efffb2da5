from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        # The apps below send their one-off e-mails (invitations, decisions, failed syncs) through
        # core.notify, which they may import; the reminder log is how they are sent exactly once.
        from core import notify
        from reminders.services import reminders_claim_notices

        notify.register(reminders_claim_notices)
