"""The import itself: one transaction that loads the bundle into staging tables (load.py), checks
it across rows (checks.py), then applies it to the real tables (apply.py). Any problem, anywhere,
rolls it all back; a dry run is rolled back too."""

from __future__ import annotations

import csv
import datetime
import zipfile
from pathlib import Path
from typing import IO

from django.db import connection, transaction
from django.utils import timezone

from accounts.bulk_history import BulkHistory
from accounts.models import District, Guardian, Membership, StudentGuardian, User
from accounts.roster.apply import Applying
from accounts.roster.bundle import Bundle, read_manifest
from accounts.roster.checks import Checking
from accounts.roster.load import Loading
from accounts.roster.phase import ProgressCallback
from accounts.roster.report import RosterRejected, RosterReport
from accounts.roster.staging import Staging


class _DryRunRollback(Exception):
    pass


class RosterImporter(Loading, Checking, Applying):
    def __init__(
        self,
        district: District,
        source: str | Path,
        *,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
        today: datetime.date | None = None,
        acting_user: User | None = None,
        change_reason: str = "Roster import",
        confirm_departures: bool = False,
        expected_roster_version: int | None = None,
        preview_to: IO[str] | None = None,
    ) -> None:
        self.district = district
        # Applying a preview: refused when another import changed the district's roster since.
        self.expected_roster_version = expected_roster_version
        # A dry run writes who it would add, match, change and deactivate here, as CSV rows.
        self.preview_to = preview_to
        self.analyzed: list[str] = []
        # The person importing confirmed that everyone the file deactivates has left (_check_departures).
        self.confirm_departures = confirm_departures
        # Who ran the import and its name, written into the history of every staff record and role it changes.
        self.acting_user = acting_user
        self.change_reason = change_reason
        self.source = Path(source)
        self.dry_run = dry_run
        self.progress = progress or (lambda fraction, message: None)
        self.today = today or timezone.localdate()
        self.report = RosterReport(dry_run=dry_run)
        self.modes: dict[str, str] = {}
        self.org_types: dict[str, str] = {}
        self._bytes_done = 0
        self._bytes_total = 1
        self.postgres = connection.vendor == "postgresql"

    # The one entry point.
    def run(self) -> RosterReport:
        started = timezone.now()
        try:
            bundle = Bundle(self.source)
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            self.report.add_problem(self.source.name, None, None, str(exc))
            raise RosterRejected(self.report) from None
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    self.cursor = cursor
                    self.staging = Staging(cursor)
                    try:
                        self._run(bundle)
                    finally:
                        self.staging.drop()
                if not self.report.ok:
                    raise RosterRejected(self.report)
                if self.dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
        finally:
            bundle.close()
            self.report.seconds = (timezone.now() - started).total_seconds()
            self.report.analyzed = self.analyzed
        self.progress(1.0, "Finished")
        return self.report

    def _lock_district(self) -> bool:
        """One import of a district at a time (the row lock), and the roster version it starts from."""
        lock = " FOR UPDATE" if self.postgres else ""
        current = self._scalar(f"SELECT roster_version FROM accounts_district WHERE id = %s{lock}", [self.district.pk])
        self.report.roster_version = current
        if self.expected_roster_version is not None and current != self.expected_roster_version:
            self.report.add_problem(
                self.source.name,
                None,
                None,
                "the district's roster changed since this preview (another import ran); "
                "make a new preview and apply that one",
            )
            return False
        return True

    def _run(self, bundle: Bundle) -> None:
        if not self._lock_district():
            return
        version, self.modes = read_manifest(bundle, self.report)
        self.report.version = version
        if not version or self._stopped():
            return
        present = {"orgs.csv", "users.csv", "roles.csv", "classes.csv", "enrollments.csv", "demographics.csv"}
        present = {n for n in present if bundle.has(n) and self.modes.get(n, "bulk") != "absent"}
        for required in ("orgs.csv", "users.csv") + (("roles.csv",) if version == "1.2" else ()):
            if required not in present:
                self.report.add_problem(required, None, None, f"the file is missing (required for OneRoster {version})")
        if self._stopped():
            return
        if "enrollments.csv" in present and "classes.csv" not in present:
            self.report.add_problem("enrollments.csv", None, None, "enrollments need classes.csv in the same bundle")
            return
        self._bytes_total = max(1, sum(bundle.size(n) for n in present))
        self.staging.create()
        self._load_orgs(bundle)
        self._load_users(bundle, version)
        if version == "1.2":
            self._load_roles(bundle)
        if "classes.csv" in present:
            self._load_classes(bundle)
        if "enrollments.csv" in present:
            self._load_enrollments(bundle)
        if "demographics.csv" in present:
            self._load_demographics(bundle)
        if self._stopped():
            return
        self.progress(0.6, "Checking references and duplicates")
        self.staging.index()
        if version == "1.2":
            self._resolve_roles()
        # Tables other imports (or a bulk load) filled since their statistics: planned on true sizes.
        for table in ("accounts_user", "accounts_student", "accounts_guardian", "accounts_studentguardian"):
            self._refresh_statistics(table)
        self._check_across_rows(has_classes="classes.csv" in present, has_enrollments="enrollments.csv" in present)
        self._check_guardian_links()
        self._check_supervisors()
        if "demographics.csv" in present:
            self._duplicates("stg_demographic", "sourced_id", "demographics.csv", "sourcedId")
        if self._stopped():
            return
        self._check_departures()
        if self._stopped():
            return
        self.progress(0.7, "Updating schools")
        history = BulkHistory(
            self.cursor, acting_user_id=self.acting_user.pk if self.acting_user else None, reason=self.change_reason
        )
        self._apply_schools()
        self.progress(0.72, "Updating staff")
        self._adopt_staff_made_by_hand()
        self._apply_staff()
        self._apply_supervisors()
        self.progress(0.78, "Updating students")
        self._apply_students()
        if "demographics.csv" in present:
            self._apply_birth_dates()
        self.progress(0.86, "Updating families")
        self._apply_guardians()
        self.progress(0.93, "Updating roles and programs")
        self._apply_memberships()
        if "classes.csv" in present:
            self._apply_classes()
        if "enrollments.csv" in present:
            self._apply_enrollments()
        self.staging.analyze("stg_written")
        history.after(User, "staff")
        history.after(Membership, "membership")
        history.after(Guardian, "guardian")
        history.after(StudentGuardian, "guardian link")
        if self.preview_to is not None:
            self._write_preview()
        if self._changed_anything():
            self.cursor.execute(
                "UPDATE accounts_district SET roster_version = roster_version + 1, roster_imported_at = %s "
                "WHERE id = %s",
                [connection.ops.adapt_datetimefield_value(timezone.now()), self.district.pk],
            )

    def _changed_anything(self) -> bool:
        return any(n for bucket in self.report.counts.values() for n in bucket.values())

    def _write_preview(self) -> None:
        """Who the import adds, matches, changes and deactivates, by name, streamed to `preview_to` so a
        first import of a million students is never held in memory."""
        priority = "CASE action WHEN 'matched' THEN 4 WHEN 'added' THEN 3 WHEN 'deactivated' THEN 2 ELSE 1 END"
        actions = "CASE p WHEN 4 THEN 'matched' WHEN 3 THEN 'added' WHEN 2 THEN 'deactivated' ELSE 'changed' END"
        written = f"(SELECT entity, id, MAX({priority}) AS p FROM stg_written GROUP BY entity, id)"
        self.cursor.execute(
            f"""SELECT 'schools', {actions}, t.name, CASE WHEN t.code <> '' THEN 'code ' || t.code ELSE '' END
                FROM {written} w JOIN accounts_school t ON t.id = w.id WHERE w.entity = 'school'
                UNION ALL
                SELECT 'staff', {actions}, t.first_name || ' ' || t.last_name, t.email
                FROM {written} w JOIN accounts_user t ON t.id = w.id WHERE w.entity = 'staff'
                UNION ALL
                SELECT 'students', {actions}, t.first_name || ' ' || t.last_name,
                       k.name || CASE WHEN t.grade <> '' THEN ', grade ' || t.grade ELSE '' END
                FROM {written} w JOIN accounts_student t ON t.id = w.id JOIN accounts_school k ON k.id = t.school_id
                WHERE w.entity = 'student'
                UNION ALL
                SELECT 'guardians', {actions}, t.first_name || ' ' || t.last_name, t.email
                FROM {written} w JOIN accounts_guardian t ON t.id = w.id WHERE w.entity = 'guardian'"""
        )
        assert self.preview_to is not None  # only a dry run writes its preview  # nosec B101
        writer = csv.writer(self.preview_to)
        while rows := self.cursor.fetchmany(5_000):
            writer.writerows(rows)

    def _stopped(self) -> bool:
        """Whether a step so far found a problem. A call, so that each step's answer is read afresh:
        a type checker takes `report.ok`, once tested, to stay what it was."""
        return not self.report.ok


def import_roster(
    district: District,
    source: str | Path,
    *,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    today: datetime.date | None = None,
    acting_user: User | None = None,
    change_reason: str = "Roster import",
    confirm_departures: bool = False,
    expected_roster_version: int | None = None,
    preview_to: IO[str] | None = None,
) -> RosterReport:
    """Import a OneRoster bundle into `district`. Raises RosterRejected (nothing written)
    when the bundle has problems; returns the report otherwise. The history of the staff and roles
    it changes names `acting_user` (None: the system) and `change_reason`. Unless
    `confirm_departures`, a file that deactivates more of the district's people than its policy
    profile allows is refused."""
    return RosterImporter(
        district,
        source,
        dry_run=dry_run,
        progress=progress,
        today=today,
        acting_user=acting_user,
        change_reason=change_reason,
        confirm_departures=confirm_departures,
        expected_roster_version=expected_roster_version,
        preview_to=preview_to,
    ).run()
