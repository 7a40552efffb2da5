import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import District
from reminders import services


class Command(BaseCommand):
    help = "Plan today's reminders and send them in this process (--dry-run lists them and sends nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be sent; change nothing.")
        parser.add_argument("--district", help="Only this district (its slug).")
        parser.add_argument("--date", help="Plan as of this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(str(options["date"]))
            except ValueError:
                raise CommandError(f"--date: “{options['date']}” is not a date like 2026-11-21.") from None
        districts = District.objects.order_by("pk")
        if options["district"]:
            districts = districts.filter(slug=options["district"])
            if not districts.exists():
                raise CommandError(f"--district: no district “{options['district']}”.")
        if options["dry_run"]:
            count = 0
            for item in services.owed_today(today, districts):
                count += 1
                self.stdout.write(
                    f"{item.district.slug:<14} {item.kind.key:<24} to user {item.owed.recipient_id:<8} "
                    f"about {item.owed.object_key} ({item.owed.period})"
                )
            self.stdout.write(
                self.style.SUCCESS(f"{count} reminders owed on {today:%Y-%m-%d} (dry run: nothing sent).")
            )
            return
        if options["district"]:
            added = services.reminders_plan(today=today, districts=districts)
        else:
            added = services.reminders_plan_day(today=today).added
        sent = 0
        ids = services.reminders_take_for_queue()
        for start in range(0, len(ids), services.SEND_BATCH):
            try:
                sent += services.reminders_deliver(ids[start : start + services.SEND_BATCH], today).sent
            except services.SendFailed as failure:
                # The mail server refuses: what is left waits for the next run (or the worker's tick).
                services.reminders_release_from_queue(ids[start:])
                self.stderr.write(f"The mail server refused: {failure}")
                break
        to_retry = len(services.unfinished(ids))
        self.stdout.write(self.style.SUCCESS(f"{added} reminders planned, {sent} sent, {to_retry} to retry."))
