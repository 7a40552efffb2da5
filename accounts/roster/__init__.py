"""OneRoster CSV import (versions 1.1 and 1.2): schools, staff, students, classes, enrollments.

How it works, and why:
- Rows are streamed from the bundle (a folder or a zip) and checked one at a time, then written
  to temporary staging tables (PostgreSQL COPY, batched inserts on SQLite). Nothing per person is
  kept in Python memory, so a district of a million students imports in constant memory.
- Checks that span rows (duplicate ids, unknown references, e-mails taken by someone else) run
  as SQL over the staging tables.
- Everything, including the final upserts, runs in one transaction. Any problem, anywhere,
  rolls it all back and comes back as one report naming file, line and field. A dry run is a
  real run that is rolled back, so its counts are exact.

Where each part is:
- importer.py  import_roster() and RosterImporter, which runs the phases in one transaction
- bundle.py    the folder or zip (refused before reading if it is a zip bomb) and its manifest
- files.py     each file's columns (SPECS), the words its values may be, checks of one value
- load.py      each file's rows checked one at a time and streamed into the staging tables
- staging.py   the temporary tables and their writer (COPY on PostgreSQL)
- checks.py    checks across rows, as SQL over the staging tables; too many departures
- apply.py     the upserts into the real tables, and the deactivation of those who left
- phase.py     what the phases share
- report.py    the report, and RosterRejected
The CSV reading itself (headers, encoding, line and field of each problem) is core.csv_reader,
shared with the consent import.
"""

from accounts.roster.checks import CONFIRM_DEPARTURES_LABEL
from accounts.roster.files import SPECS
from accounts.roster.importer import RosterImporter, import_roster
from accounts.roster.phase import ProgressCallback
from accounts.roster.report import RosterRejected, RosterReport

__all__ = [
    "CONFIRM_DEPARTURES_LABEL",
    "SPECS",
    "ProgressCallback",
    "RosterImporter",
    "RosterRejected",
    "RosterReport",
    "import_roster",
]
