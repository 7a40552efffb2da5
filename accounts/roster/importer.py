"""The import itself: one transaction that loads the bundle into staging tables (load.py), checks
it across rows (checks.py), then applies it to the real tables (apply.py). Any problem, anywhere,
rolls it all back; a dry run is rolled back too."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from accounts.bulk_history import BulkHistory
from accounts.models import District, Membership, User
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
    ) -> None:
        self.district = district
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
        self.progress(1.0, "Finished")
        return self.report

    def _run(self, bundle: Bundle) -> None:
        version, self.modes = read_manifest(bundle, self.report)
        self.report.version = version
        if not version or self._stopped():
            return
        present = {name for name in ("orgs.csv", "users.csv", "roles.csv", "classes.csv", "enrollments.csv")}
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
        if self._stopped():
            return
        self.progress(0.6, "Checking references and duplicates")
        self.staging.index()
        if version == "1.2":
            self._resolve_roles()
        self._check_across_rows(has_classes="classes.csv" in present, has_enrollments="enrollments.csv" in present)
        if self._stopped():
            return
        self._check_departures()
        if self._stopped():
            return
        self.progress(0.7, "Updating schools")
        history = BulkHistory(
            self.cursor, acting_user_id=self.acting_user.pk if self.acting_user else None, reason=self.change_reason
        )
        history.before(User)
        history.before(Membership)
        self._apply_schools()
        self.progress(0.72, "Updating staff")
        self._adopt_staff_made_by_hand()
        self._apply_staff()
        self.progress(0.78, "Updating students")
        self._apply_students()
        self.progress(0.93, "Updating roles and programs")
        self._apply_memberships()
        if "classes.csv" in present:
            self._apply_classes()
        if "enrollments.csv" in present:
            self._apply_enrollments()
        d = self.district.pk
        history.after(User, "t.district_id = %s AND t.roster_sourced_id IS NOT NULL", [d])
        history.after(Membership, "t.district_id = %s AND (t.ended_on IS NULL OR t.ended_on = %s)", [d, self.today])

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
    ).run()
