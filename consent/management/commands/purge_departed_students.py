"""python manage.py purge_departed_students [--district SLUG ...] [--dry-run]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import District
from consent.services import students_purge_departed


class Command(BaseCommand):
    help = (
        "Remove students who left longer ago than their district keeps records, together with their "
        "consent answers, program memberships and the privacy-log entries that name them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--district",
            action="append",
            default=[],
            metavar="SLUG",
            help="Only this district (give it again for more). Without it, every district.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would be removed; remove nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        reports = [
            students_purge_departed(district=district, dry_run=dry_run)
            for district in self._districts(options["district"])
        ]
        for report in reports:
            self.stdout.write(str(report))
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} {sum(r.students for r in reports)} student(s), "
            f"{sum(r.consent_records for r in reports)} consent record(s) and "
            f"{sum(r.program_memberships for r in reports)} program membership(s) "
            f"in {len(reports)} district(s)."
        )

    def _districts(self, slugs: list[str]) -> list[District]:
        if not slugs:
            return list(District.objects.order_by("name", "pk"))
        found = {district.slug: district for district in District.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise CommandError("No district has the slug " + ", ".join(repr(slug) for slug in unknown) + ".")
        # Each district once, in the order given.
        return [found[slug] for slug in dict.fromkeys(slugs)]
