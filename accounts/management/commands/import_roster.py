"""python manage.py import_roster PATH [--district SLUG] [--dry-run] [--confirm-departures]"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import District, RosterImportStatus


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self._last = 0.0
        self.interactive = stream.isatty()

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self._last < (0.1 if self.interactive else 5.0):
            return
        self._last = now
        filled = int(self.width * fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {fraction * 100:5.1f}%  {message}"
        if self.interactive:
            self.stream.write("\r" + line.ljust(80))
            if fraction >= 1.0:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a OneRoster 1.1 or 1.2 CSV bundle (a folder or a zip) into a district."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Folder or .zip holding manifest.csv, orgs.csv, users.csv, …")
        parser.add_argument("--district", help="The district's slug (needed when there is more than one).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")
        parser.add_argument(
            "--confirm-departures",
            action="store_true",
            help="The people this file leaves out have left: deactivate them even when they are more than the "
            "district's policy profile allows in one import.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        district = self._district(options["district"])
        # The raw stream under Django's OutputWrapper (which would end each redraw with a newline and
        # colour it as an error); django-stubs does not declare the attribute.
        progress = None if options["no_progress"] else ProgressBar(cast(TextIO, self.stderr._out))
        roster_import = services.roster_import_from_path(
            acting_user=None,
            district=district,
            path=path,
            dry_run=bool(options["dry_run"]),
            confirm_departures=bool(options["confirm_departures"]),
            progress=progress,
        )
        report = roster_import.report
        if roster_import.status == RosterImportStatus.FAILED:
            for problem in report["problems"]:
                where = problem["file"]
                if problem["line"] is not None:
                    where += f", line {problem['line']}"
                if problem["field"]:
                    where += f", field {problem['field']}"
                self.stderr.write(f"{where}: {problem['message']}")
            extra = report["problem_count"] - len(report["problems"])
            if extra > 0:
                self.stderr.write(f"…and {extra} more.")
            raise CommandError(f"{report['problem_count']} problem(s) found; nothing was changed.")
        heading = "Dry run: nothing was changed. The import would do this:" if report["dry_run"] else "Imported:"
        self.stdout.write(heading)
        for entity, bucket in roster_import.count_rows():
            parts = ", ".join(f"{what} {n:,}" for what, n in bucket)
            self.stdout.write(f"  {entity}: {parts}")
        if report["deactivated_examples"]:
            verb = "Would deactivate" if report["dry_run"] else "Deactivated"
            self.stdout.write(f"  {verb}, for example: " + "; ".join(report["deactivated_examples"]))
        self.stdout.write(
            f"{report['rows_read']:,} rows read in {report['seconds']} s (OneRoster {report['version']})."
        )

    def _district(self, slug: object) -> District:
        if slug:
            try:
                return District.objects.get(slug=slug)
            except District.DoesNotExist:
                raise CommandError(f"No district has the slug {slug!r}.") from None
        districts = list(District.objects.all()[:2])
        if len(districts) == 1:
            return districts[0]
        raise CommandError("Name the district with --district SLUG.")
