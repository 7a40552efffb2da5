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
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import lzma
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.bulk_history import BulkHistory
from accounts.models import District, Membership, User

ProgressCallback = Callable[[float, str], None]

MAX_PROBLEMS = 200  # listed in full; the rest are counted
MAX_MESSAGE = 300  # characters of one problem's message
BATCH_ROWS = 5_000
# SQLite caps bound parameters per statement; PostgreSQL streams with COPY instead.
SQLITE_MAX_VARIABLES = 32_000

STAFF_ROLES = frozenset(
    {
        "administrator",
        "aide",
        "proctor",
        "teacher",
        "counselor",
        "principal",
        "districtadministrator",
        "siteadministrator",
        "systemadministrator",
    }
)
STUDENT_ROLES = frozenset({"student"})
OTHER_ROLES = frozenset({"guardian", "parent", "relative"})  # family members are not stored
ORG_TYPES = frozenset({"department", "school", "district", "local", "state", "national"})
STATUSES = {"": "active", "active": "active", "tobedeleted": "tobedeleted", "inactive": "tobedeleted"}
FILE_MODES = frozenset({"bulk", "delta", "absent"})

GRADE_ALIASES = {"K": "KG", "KINDERGARTEN": "KG", "PREK": "PK", "PRE-K": "PK", "TRANSITIONAL K": "TK"}
CEDS_GRADES = frozenset({"IT", "PR", "PK", "TK", "KG", "PS", "UG", "OTHER"} | {f"{n:02d}" for n in range(1, 14)})
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Limits on what a bundle may hold, checked before anything is read (see also the
# ROSTER_MAX_UNPACKED_BYTES and ROSTER_MAX_COMPRESSION_RATIO settings).
MAX_BUNDLE_MEMBERS = 50  # OneRoster has 13 files; some systems add a folder or two
MAX_CENTRAL_DIRECTORY_BYTES = 1 << 20  # the zip's list of files: ZipFile reads all of it into memory
# A smaller file cannot hurt whatever its ratio; one with an absurd value (a megabyte of "x") is
# then reported at its line rather than refused whole as a bomb.
RATIO_CHECKED_ABOVE_BYTES = 16 << 20
MAX_LINE_BYTES = 1 << 20  # the longest line of any file; lines are read whole
# The box to tick when a file deactivates more people than the district allows (forms.py, messages).
CONFIRM_DEPARTURES_LABEL = "I confirm that the people this file leaves out have left"


# --- Report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


@dataclass
class RosterReport:
    dry_run: bool = False
    version: str = ""
    rows_read: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    deactivated_examples: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add_problem(self, file: str, line: int | None, field_name: str | None, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            # Messages quote the bad value: a 100 KB cell must not make a 20 MB report.
            if len(message) > MAX_MESSAGE:
                message = message[: MAX_MESSAGE - 1] + "…"
            self.problems.append(Problem(file, line, field_name, message))

    def count(self, entity: str, what: str, n: int) -> None:
        bucket = self.counts.setdefault(entity, {"created": 0, "changed": 0, "deactivated": 0})
        bucket[what] = bucket.get(what, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "version": self.version,
            "rows_read": self.rows_read,
            "counts": self.counts,
            "deactivated_examples": self.deactivated_examples,
            "problems": [p.as_dict() for p in self.problems],
            "problem_count": self.problem_count,
            "seconds": round(self.seconds, 2),
        }


class RosterRejected(Exception):
    """The bundle has problems; the report lists them and nothing was written."""

    def __init__(self, report: RosterReport) -> None:
        super().__init__(f"{report.problem_count} problem(s) in the roster bundle")
        self.report = report


class _DryRunRollback(Exception):
    pass


# --- Reading the bundle ------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Counts bytes read so progress can be shown as a share of the bundle's size."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._on_read(n)
        return n


class Bundle:
    """A OneRoster bundle: a folder or a zip file of CSV files. Names are matched without case."""

    def __init__(self, source: str | Path) -> None:
        self.source = Path(source)
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, Any] = {}
        if self.source.is_dir():
            for path in self.source.iterdir():
                if path.is_file():
                    self._members[path.name.lower()] = path
        elif zipfile.is_zipfile(self.source):
            _refuse_a_long_list_of_files(self.source)
            self._zip = zipfile.ZipFile(self.source)
            try:
                _refuse_a_zip_bomb(self._zip.infolist())
            except ValueError:
                self._zip.close()
                raise
            for info in self._zip.infolist():
                if not info.is_dir():
                    # Some systems put the files in a folder inside the zip.
                    self._members.setdefault(Path(info.filename).name.lower(), info)
        elif self.source.exists():
            raise ValueError(f"{self.source.name} is neither a folder nor a zip file")
        else:
            raise FileNotFoundError(f"{self.source} does not exist")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def has(self, name: str) -> bool:
        return name in self._members

    def size(self, name: str) -> int:
        member = self._members[name]
        return member.file_size if self._zip is not None else member.stat().st_size

    def open_binary(self, name: str) -> IO[bytes]:
        member = self._members[name]
        if self._zip is not None:
            return self._zip.open(member)
        return open(member, "rb")


def _refuse_a_long_list_of_files(path: Path) -> None:
    """ZipFile reads the whole list of files (the central directory) when it opens a zip: a list
    of millions of entries is refused from the record that gives its size, before it is read."""
    with path.open("rb") as raw:
        end = zipfile._EndRecData(raw)  # the record ZipFile itself reads first
    if end is not None and (
        end[zipfile._ECD_SIZE] > MAX_CENTRAL_DIRECTORY_BYTES or end[zipfile._ECD_ENTRIES_TOTAL] > MAX_BUNDLE_MEMBERS
    ):
        raise ValueError(f"the zip lists more files than a OneRoster export has (at most {MAX_BUNDLE_MEMBERS})")


def _refuse_a_zip_bomb(members: list[zipfile.ZipInfo]) -> None:
    """What each file would unpack to, as the zip declares it: zipfile never unpacks more than the
    declared size, so refusing on it before reading anything bounds memory, disk and CPU."""
    if len(members) > MAX_BUNDLE_MEMBERS:
        raise ValueError(
            f"the zip holds {len(members)} files; a OneRoster export has at most {MAX_BUNDLE_MEMBERS}. Export it again"
        )
    limit = settings.ROSTER_MAX_UNPACKED_BYTES
    total = sum(info.file_size for info in members)
    if total > limit:
        raise ValueError(
            f"its files would unpack to {total:,} bytes, more than the {limit:,} this system accepts; "
            "nothing was unpacked"
        )
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE_BYTES and ratio > settings.ROSTER_MAX_COMPRESSION_RATIO:
            raise ValueError(
                f"{info.filename} would unpack to {ratio:,.0f} times its size in the zip (more than "
                f"{settings.ROSTER_MAX_COMPRESSION_RATIO}; CSV exports compress 5 to 15 times): this is not an "
                "export, and nothing was unpacked"
            )


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SPECS = {
    "orgs.csv": FileSpec(
        "orgs.csv", ("sourcedId", "name", "type"), ("status", "dateLastModified", "identifier", "parentSourcedId")
    ),
    "users.csv@1.1": FileSpec(
        "users.csv",
        ("sourcedId", "orgSourcedIds", "role", "givenName", "familyName"),
        ("status", "dateLastModified", "enabledUser", "username", "identifier", "email", "grades", "middleName"),
    ),
    "users.csv@1.2": FileSpec(
        "users.csv",
        ("sourcedId", "givenName", "familyName"),
        ("status", "dateLastModified", "enabledUser", "username", "identifier", "email", "grades", "middleName"),
    ),
    "roles.csv": FileSpec(
        "roles.csv",
        ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
        ("status", "dateLastModified", "beginDate", "endDate"),
    ),
    "classes.csv": FileSpec(
        "classes.csv", ("sourcedId", "title", "schoolSourcedId"), ("status", "dateLastModified", "classCode")
    ),
    "enrollments.csv": FileSpec(
        "enrollments.csv",
        ("sourcedId", "classSourcedId", "userSourcedId", "role"),
        ("status", "dateLastModified", "schoolSourcedId", "beginDate", "endDate", "primary"),
    ),
}


# What reading a damaged zip member raises (bad CRC, truncated or corrupt compressed data).
_UNREADABLE = (OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError)


class CsvRows:
    """Iterates a CSV file's rows as dicts of the known columns, with their line numbers.

    Header names are matched without regard to case or surrounding spaces; unknown extension
    columns are ignored. Problems (missing columns, bad encoding, ragged rows) go to the report.
    """

    def __init__(self, bundle: Bundle, spec: FileSpec, report: RosterReport, on_bytes: Callable[[int], None]) -> None:
        self.bundle = bundle
        self.spec = spec
        self.report = report
        self.on_bytes = on_bytes

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        name = self.spec.name
        try:
            raw = self.bundle.open_binary(name)
        except (*_UNREADABLE, RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
            self.report.add_problem(name, None, None, f"the file cannot be read from the bundle ({exc})")
            return
        binary = io.BufferedReader(_CountingReader(raw, self.on_bytes), 1 << 16)
        decoding = _Utf8Lines(binary)
        reader = csv.reader(decoding)
        try:
            yield from self._rows(reader, decoding)
        except csv.Error as exc:
            self.report.add_problem(name, reader.line_num, None, f"this line cannot be read as CSV ({exc})")
        except _UNREADABLE as exc:  # a damaged zip shows only when its data is read
            self.report.add_problem(
                name, reader.line_num or None, None, f"the file is damaged from this line on ({exc}); export it again"
            )
        finally:
            binary.close()
        if decoding.bad_line is not None:
            self.report.add_problem(
                name, decoding.bad_line, None, "the file is not UTF-8 text from this line on; save it as CSV UTF-8"
            )
        if decoding.long_line is not None:
            self.report.add_problem(
                name,
                decoding.long_line,
                None,
                f"line {decoding.long_line} is longer than {MAX_LINE_BYTES:,} bytes; "
                "the file was read no further (export it again, one record per line)",
            )

    def _rows(self, reader: Any, decoding: _Utf8Lines) -> Iterator[tuple[int, dict[str, str]]]:
        name = self.spec.name
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            if not decoding.stopped:
                self.report.add_problem(name, 1, None, "the file is empty; it needs at least a header row")
            return
        wanted = {c.lower(): c for c in self.spec.columns}
        positions: dict[str, int] = {}
        for index, heading in enumerate(header):
            canonical = wanted.get(heading.strip().lower())
            if canonical is None:
                continue  # extension columns are ignored
            if canonical in positions:
                self.report.add_problem(name, 1, canonical, "this column appears twice in the header")
            positions[canonical] = index
        missing = [c for c in self.spec.required if c not in positions]
        for column in missing:
            self.report.add_problem(name, 1, column, "required column is missing from the header")
        if missing:
            return
        width = len(header)
        columns = list(positions.items())
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) != width:
                self.report.add_problem(
                    name, reader.line_num, None, f"expected {width} columns as in the header, found {len(row)}"
                )
                continue
            values = {column: row[i].strip() for column, i in columns}
            # PostgreSQL text cannot hold a NUL byte: refused here, at its line and field.
            nul = [column for column, value in values.items() if "\x00" in value]
            for column in nul:
                self.report.add_problem(name, reader.line_num, column, "contains a NUL character; export it again")
            if not nul:
                yield reader.line_num, values


class _Utf8Lines:
    """Decodes a file line by line, so a byte that is not UTF-8 is reported at its line."""

    def __init__(self, binary: IO[bytes]) -> None:
        self.binary = binary
        self.bad_line: int | None = None
        self.long_line: int | None = None

    @property
    def stopped(self) -> bool:
        """Reading stopped before the end of the file (a problem says where)."""
        return self.bad_line is not None or self.long_line is not None

    def __iter__(self) -> Iterator[str]:
        number = 0
        # readline() with a limit: a file of one enormous line is not read into memory whole.
        while line := self.binary.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                self.long_line = number
                return
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_line = number
                return


def _read_manifest(bundle: Bundle, report: RosterReport) -> tuple[str, dict[str, str]]:
    if not bundle.has("manifest.csv"):
        report.add_problem("manifest.csv", None, None, "the bundle has no manifest.csv (required by OneRoster)")
        return "", {}
    properties: dict[str, str] = {}
    spec = FileSpec("manifest.csv", ("propertyName", "value"))
    for line, row in CsvRows(bundle, spec, report, lambda n: None):
        properties[row["propertyName"].lower()] = row["value"]
        _ = line
    version = properties.get("oneroster.version", "")
    if not version:
        report.add_problem(
            "manifest.csv", None, "oneroster.version", "the manifest does not say which OneRoster version"
        )
    elif version not in ("1.1", "1.2"):
        report.add_problem(
            "manifest.csv", None, "oneroster.version", f"version {version!r} is not supported (1.1 or 1.2)"
        )
    modes = {}
    for key, value in properties.items():
        if key.startswith("file."):
            mode = value.strip().lower()
            if mode not in FILE_MODES:
                report.add_problem("manifest.csv", None, key, f"{value!r} is not bulk, delta or absent")
            modes[key.removeprefix("file.") + ".csv"] = mode
    return version, modes


# --- Field checks ------------------------------------------------------------------------


def _status(report: RosterReport, file: str, line: int, value: str) -> str | None:
    status = STATUSES.get(value.lower())
    if status is None:
        report.add_problem(file, line, "status", f"{value!r} is not active or tobedeleted")
    return status


def _check_date(report: RosterReport, file: str, line: int, column: str, value: str) -> None:
    if not value:
        return
    try:
        if len(value) <= 10:
            datetime.date.fromisoformat(value)
        else:
            datetime.datetime.fromisoformat(value)
    except ValueError:
        report.add_problem(file, line, column, f"{value!r} is not a date (expected YYYY-MM-DD)")


def _required(report: RosterReport, file: str, line: int, row: dict[str, str], *columns: str) -> bool:
    ok = True
    for column in columns:
        if not row.get(column):
            report.add_problem(file, line, column, "a value is required")
            ok = False
    return ok


def _fits(report: RosterReport, file: str, line: int, row: dict[str, str], limits: dict[str, int]) -> None:
    for column, limit in limits.items():
        if len(row.get(column, "")) > limit:
            report.add_problem(file, line, column, f"longer than {limit} characters")


def _grade(report: RosterReport, file: str, line: int, value: str) -> str:
    first = value.split(",")[0].strip().upper()
    if not first:
        return ""
    first = GRADE_ALIASES.get(first, first)
    if first.isascii() and first.isdigit():  # not int(): "²" is a digit to isdigit(), and int() caps digits
        first = first.lstrip("0").zfill(2)
    if first not in CEDS_GRADES:
        report.add_problem(file, line, "grades", f"{value!r} is not a grade (KG, 01–12, PK, …)")
        return ""
    return "Other" if first == "OTHER" else first


# --- Staging -----------------------------------------------------------------------------


STAGING_TABLES = {
    "stg_org": "line integer, sourced_id text, status text, name text, type text, identifier text",
    "stg_user": (
        "line integer, sourced_id text, status text, kind text, given_name text, family_name text, "
        "email text, identifier text, grade text, school_sourced_id text"
    ),
    "stg_user_org": "line integer, user_sourced_id text, org_sourced_id text, role text, is_primary integer",
    "stg_class": "line integer, sourced_id text, status text, title text, school_sourced_id text",
    "stg_staff_role": "user_id bigint, school_key bigint",
    "stg_enrollment": (
        "line integer, sourced_id text, status text, class_sourced_id text, user_sourced_id text, role text"
    ),
}


class Staging:
    """Temporary tables the bundle is loaded into before any real table is touched."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"

    def create(self) -> None:
        for table, columns in STAGING_TABLES.items():
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
            self.cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")

    def drop(self) -> None:
        for table in STAGING_TABLES:
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def index(self) -> None:
        for statement in (
            "CREATE INDEX stg_user_sid ON stg_user (sourced_id)",
            "CREATE INDEX stg_user_email ON stg_user (email)",
            "CREATE INDEX stg_user_org_uid ON stg_user_org (user_sourced_id)",
            "CREATE INDEX stg_class_sid ON stg_class (sourced_id)",
            "CREATE INDEX stg_org_sid ON stg_org (sourced_id)",
        ):
            self.cursor.execute(statement)
        if self.postgres:
            for table in STAGING_TABLES:
                self.cursor.execute(f"ANALYZE {table}")

    def writer(self, table: str, *, spooled: bool = False) -> _StagingWriter:
        return _StagingWriter(self, table, spooled=spooled)


class _StagingWriter:
    """Streams rows into a staging table. PostgreSQL allows one COPY at a time per connection,
    so a writer opened beside another is `spooled`: its rows wait in a temporary file (not in
    memory) and are loaded when it closes."""

    def __init__(self, staging: Staging, table: str, *, spooled: bool = False) -> None:
        self.staging = staging
        self.table = table
        self.width = STAGING_TABLES[table].count(",") + 1
        self.spooled = spooled
        self._batch: list[tuple] = []
        self._copy_cm: Any = None
        self._copy: Any = None
        self._spool: Any = None

    def __enter__(self) -> _StagingWriter:
        if self.spooled:
            self._spool = tempfile.TemporaryFile("w+", newline="", encoding="utf-8")
            self._spool_writer = csv.writer(self._spool)
        elif self.staging.postgres:
            self._copy_cm = self.staging.cursor.copy(f"COPY {self.table} FROM STDIN")
            self._copy = self._copy_cm.__enter__()
        return self

    def write(self, row: tuple) -> None:
        if self._spool is not None:
            self._spool_writer.writerow(row)
        elif self._copy is not None:
            self._copy.write_row(row)
        else:
            self._batch.append(row)
            if len(self._batch) * self.width >= SQLITE_MAX_VARIABLES or len(self._batch) >= BATCH_ROWS:
                self.flush()

    def flush(self) -> None:
        if self._batch:
            placeholders = ", ".join(["%s"] * self.width)
            self.staging.cursor.executemany(f"INSERT INTO {self.table} VALUES ({placeholders})", self._batch)
            self._batch = []

    def __exit__(self, *exc_info: object) -> None:
        if self._copy_cm is not None:
            self._copy_cm.__exit__(*exc_info)
        elif self._spool is not None:
            try:
                if exc_info[0] is None:
                    self._spool.seek(0)
                    with _StagingWriter(self.staging, self.table) as out:
                        for row in csv.reader(self._spool):
                            out.write(tuple(row))
            finally:
                self._spool.close()
        elif exc_info[0] is None:
            self.flush()


# --- The import --------------------------------------------------------------------------


class RosterImporter:
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
        version, self.modes = _read_manifest(bundle, self.report)
        self.report.version = version
        if not version or not self.report.ok:
            return
        present = {name for name in ("orgs.csv", "users.csv", "roles.csv", "classes.csv", "enrollments.csv")}
        present = {n for n in present if bundle.has(n) and self.modes.get(n, "bulk") != "absent"}
        for required in ("orgs.csv", "users.csv") + (("roles.csv",) if version == "1.2" else ()):
            if required not in present:
                self.report.add_problem(required, None, None, f"the file is missing (required for OneRoster {version})")
        if not self.report.ok:
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
        if not self.report.ok:
            return
        self.progress(0.6, "Checking references and duplicates")
        self.staging.index()
        if version == "1.2":
            self._resolve_roles()
        self._check_across_rows(has_classes="classes.csv" in present, has_enrollments="enrollments.csv" in present)
        if not self.report.ok:
            return
        self._check_departures()
        if not self.report.ok:
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

    # -- loading ---------------------------------------------------------------------------

    def _on_bytes(self, n: int) -> None:
        before = self._bytes_done * 100 // self._bytes_total
        self._bytes_done += n
        after = self._bytes_done * 100 // self._bytes_total
        if after != before:
            self.progress(0.6 * self._bytes_done / self._bytes_total, f"Reading files ({after}%)")

    def _rows(self, bundle: Bundle, key: str) -> CsvRows:
        return CsvRows(bundle, SPECS[key], self.report, self._on_bytes)

    def _load_orgs(self, bundle: Bundle) -> None:
        file = "orgs.csv"
        seen_lines: dict[str, int] = {}
        with self.staging.writer("stg_org") as out:
            for line, row in self._rows(bundle, file):
                self.report.rows_read += 1
                if not _required(self.report, file, line, row, "sourcedId", "name", "type"):
                    continue
                sid, kind = row["sourcedId"], row["type"].lower()
                status = _status(self.report, file, line, row.get("status", ""))
                _check_date(self.report, file, line, "dateLastModified", row.get("dateLastModified", ""))
                _fits(self.report, file, line, row, {"sourcedId": 255, "name": 200, "identifier": 64})
                if kind not in ORG_TYPES:
                    self.report.add_problem(file, line, "type", f"{row['type']!r} is not an OneRoster org type")
                if sid in seen_lines:
                    self.report.add_problem(
                        file, line, "sourcedId", f"{sid!r} already appears on line {seen_lines[sid]}"
                    )
                    continue
                seen_lines[sid] = line
                self.org_types[sid] = kind
                out.write((line, sid, status, row["name"], kind, row.get("identifier", "")))
        district_orgs = [sid for sid, kind in self.org_types.items() if kind == "district"]
        expected = self.district.roster_sourced_id
        if expected and district_orgs and expected not in district_orgs:
            self.report.add_problem(
                file,
                None,
                "sourcedId",
                f"this bundle is for another district (expected district org {expected!r}, found {district_orgs[0]!r})",
            )
        # Orgs already known from earlier imports, for bundles that send only changes (delta).
        known = self.district.schools.exclude(roster_sourced_id=None).values_list("roster_sourced_id", flat=True)
        for sid in known:
            self.org_types.setdefault(sid, "school")
        if expected:
            self.org_types.setdefault(expected, "district")

    def _load_users(self, bundle: Bundle, version: str) -> None:
        file = "users.csv"
        # Links spool to disk and load after the users COPY closes (inner context exits first).
        with self.staging.writer("stg_user_org", spooled=True) as links, self.staging.writer("stg_user") as users:
            for line, row in self._rows(bundle, f"users.csv@{version}"):
                self.report.rows_read += 1
                if not _required(self.report, file, line, row, "sourcedId", "givenName", "familyName"):
                    continue
                status = _status(self.report, file, line, row.get("status", ""))
                _check_date(self.report, file, line, "dateLastModified", row.get("dateLastModified", ""))
                _fits(
                    self.report,
                    file,
                    line,
                    row,
                    {"sourcedId": 255, "givenName": 150, "familyName": 150, "identifier": 64, "email": 254},
                )
                email = row.get("email", "").lower()
                if email and not EMAIL_RE.match(email):
                    self.report.add_problem(file, line, "email", f"{row['email']!r} is not an e-mail address")
                grade = _grade(self.report, file, line, row.get("grades", ""))
                kind, school = "", ""
                sid = row["sourcedId"]
                if version == "1.1":
                    role = row["role"].lower()
                    if role in STUDENT_ROLES:
                        kind = "student"
                    elif role in STAFF_ROLES:
                        kind = "staff"
                    elif role in OTHER_ROLES:
                        kind = "other"
                    else:
                        self.report.add_problem(file, line, "role", f"{row['role']!r} is not an OneRoster role")
                        continue
                    org_ids = [o.strip() for o in row["orgSourcedIds"].split(",") if o.strip()]
                    if not org_ids and kind != "other":
                        self.report.add_problem(file, line, "orgSourcedIds", "a value is required")
                    for position, org_id in enumerate(org_ids):
                        org_type = self.org_types.get(org_id)
                        if org_type is None:
                            self.report.add_problem(file, line, "orgSourcedIds", f"unknown org {org_id!r}")
                            continue
                        if kind == "other":
                            continue
                        if org_type == "school" and not school:
                            school = org_id
                        if kind == "staff":
                            links.write((line, sid, org_id, role, 1 if position == 0 else 0))
                    if kind == "student" and org_ids and not school and status == "active":
                        self.report.add_problem(file, line, "orgSourcedIds", "a student must belong to a school")
                if kind != "other":
                    users.write(
                        (
                            line,
                            sid,
                            status,
                            kind,
                            row["givenName"],
                            row["familyName"],
                            email,
                            row.get("identifier", ""),
                            grade,
                            school,
                        )
                    )

    def _load_roles(self, bundle: Bundle) -> None:
        file = "roles.csv"
        with self.staging.writer("stg_user_org") as links:
            for line, row in self._rows(bundle, "roles.csv"):
                self.report.rows_read += 1
                if not _required(self.report, file, line, row, "sourcedId", "userSourcedId", "role", "orgSourcedId"):
                    continue
                status = _status(self.report, file, line, row.get("status", ""))
                for column in ("dateLastModified", "beginDate", "endDate"):
                    _check_date(self.report, file, line, column, row.get(column, ""))
                role = row["role"].lower()
                if role not in STAFF_ROLES | STUDENT_ROLES | OTHER_ROLES:
                    self.report.add_problem(file, line, "role", f"{row['role']!r} is not an OneRoster role")
                    continue
                role_type = row["roleType"].lower()
                if role_type not in ("primary", "secondary"):
                    self.report.add_problem(file, line, "roleType", f"{row['roleType']!r} is not primary or secondary")
                org_id = row["orgSourcedId"]
                if org_id not in self.org_types:
                    self.report.add_problem(file, line, "orgSourcedId", f"unknown org {org_id!r}")
                    continue
                if status == "active" and role not in OTHER_ROLES:
                    links.write((line, row["userSourcedId"], org_id, role, 1 if role_type == "primary" else 0))

    def _load_classes(self, bundle: Bundle) -> None:
        file = "classes.csv"
        with self.staging.writer("stg_class") as out:
            for line, row in self._rows(bundle, "classes.csv"):
                self.report.rows_read += 1
                if not _required(self.report, file, line, row, "sourcedId", "title", "schoolSourcedId"):
                    continue
                status = _status(self.report, file, line, row.get("status", ""))
                _check_date(self.report, file, line, "dateLastModified", row.get("dateLastModified", ""))
                _fits(self.report, file, line, row, {"sourcedId": 255, "title": 200})
                school = row["schoolSourcedId"]
                if self.org_types.get(school) != "school":
                    self.report.add_problem(file, line, "schoolSourcedId", f"unknown school {school!r}")
                    continue
                out.write((line, row["sourcedId"], status, row["title"], school))

    def _load_enrollments(self, bundle: Bundle) -> None:
        file = "enrollments.csv"
        with self.staging.writer("stg_enrollment") as out:
            for line, row in self._rows(bundle, "enrollments.csv"):
                self.report.rows_read += 1
                if not _required(self.report, file, line, row, "sourcedId", "classSourcedId", "userSourcedId", "role"):
                    continue
                status = _status(self.report, file, line, row.get("status", ""))
                _fits(self.report, file, line, row, {"sourcedId": 255})
                for column in ("dateLastModified", "beginDate", "endDate"):
                    _check_date(self.report, file, line, column, row.get(column, ""))
                role = row["role"].lower()
                if role not in STAFF_ROLES | STUDENT_ROLES | OTHER_ROLES:
                    self.report.add_problem(file, line, "role", f"{row['role']!r} is not an OneRoster role")
                    continue
                if role in OTHER_ROLES:
                    continue
                out.write((line, row["sourcedId"], status, row["classSourcedId"], row["userSourcedId"], role))

    # -- checks across rows ----------------------------------------------------------------

    def _problems_from(
        self, file: str, field_name: str, sql: str, params: list[Any], message: Callable[..., str]
    ) -> None:
        self.cursor.execute(sql + f" ORDER BY 1 LIMIT {MAX_PROBLEMS + 1}", params)
        for row in self.cursor.fetchall():
            self.report.add_problem(file, row[0], field_name, message(*row[1:]))

    def _duplicates(self, table: str, column: str, file: str, field_name: str, where: str = "1=1") -> None:
        self._problems_from(
            file,
            field_name,
            f"""SELECT s.line, s.{column}, d.first_line FROM {table} s
                JOIN (SELECT {column} AS value, MIN(line) AS first_line FROM {table}
                      WHERE {where} AND {column} <> '' GROUP BY {column} HAVING COUNT(*) > 1) d
                  ON d.value = s.{column}
                WHERE {where} AND s.line > d.first_line""",
            [],
            lambda value, first: f"{value!r} already appears on line {first}",
        )

    def _resolve_roles(self) -> None:
        """OneRoster 1.2 keeps roles apart from users: a user with a student role is a
        student (school from the primary role), a user with a staff role is staff."""
        staff = ", ".join(f"'{r}'" for r in sorted(STAFF_ROLES))
        self.cursor.execute(
            f"""UPDATE stg_user SET kind = CASE
                  WHEN EXISTS (SELECT 1 FROM stg_user_org r WHERE r.user_sourced_id = stg_user.sourced_id
                               AND r.role = 'student') THEN 'student'
                  WHEN EXISTS (SELECT 1 FROM stg_user_org r WHERE r.user_sourced_id = stg_user.sourced_id
                               AND r.role IN ({staff})) THEN 'staff'
                  ELSE 'other' END"""
        )
        school_ids = [sid for sid, kind in self.org_types.items() if kind == "school"]
        self.cursor.execute("CREATE TEMP TABLE stg_school_ids (sourced_id text)")
        self.cursor.executemany("INSERT INTO stg_school_ids VALUES (%s)", [(s,) for s in school_ids])
        self.cursor.execute(
            """UPDATE stg_user SET school_sourced_id = COALESCE((
                  SELECT r.org_sourced_id FROM stg_user_org r
                  JOIN stg_school_ids k ON k.sourced_id = r.org_sourced_id
                  WHERE r.user_sourced_id = stg_user.sourced_id AND r.role = 'student'
                  ORDER BY r.is_primary DESC, r.line LIMIT 1), '')
               WHERE kind = 'student'"""
        )
        self.cursor.execute("DROP TABLE stg_school_ids")
        self.cursor.execute(f"DELETE FROM stg_user_org WHERE role NOT IN ({staff})")
        self._problems_from(
            "roles.csv",
            "userSourcedId",
            "SELECT r.line, r.user_sourced_id FROM stg_user_org r WHERE NOT EXISTS "
            "(SELECT 1 FROM stg_user u WHERE u.sourced_id = r.user_sourced_id)",
            [],
            lambda sid: f"unknown user {sid!r}",
        )
        self._problems_from(
            "users.csv",
            "sourcedId",
            "SELECT line, sourced_id FROM stg_user WHERE kind = 'student' AND status = 'active' "
            "AND school_sourced_id = ''",
            [],
            lambda sid: f"student {sid!r} has no role at a school in roles.csv",
        )

    def _check_across_rows(self, *, has_classes: bool, has_enrollments: bool) -> None:
        district_id = self.district.pk
        self._duplicates("stg_user", "sourced_id", "users.csv", "sourcedId")
        active_staff = "kind = 'staff' AND status = 'active'"
        self._problems_from(
            "users.csv",
            "email",
            f"SELECT line, sourced_id FROM stg_user WHERE {active_staff} AND email = ''",
            [],
            lambda sid: "staff sign in with their e-mail address: a value is required",
        )
        self._duplicates("stg_user", "email", "users.csv", "email", active_staff)
        self._duplicates("stg_user", "identifier", "users.csv", "identifier", active_staff)
        self._duplicate_student_ids()
        self._problems_from(
            "users.csv",
            "sourcedId",
            "SELECT line, sourced_id FROM stg_user WHERE kind = 'student' AND status = 'active' "
            "AND identifier = '' AND LENGTH(sourced_id) > 64",
            [],
            lambda sid: "longer than 64 characters: a student without an identifier is known by this id",
        )
        # An e-mail (compared without case) may belong only to the row's own person: the one linked
        # to its sourcedId, or else one made by hand in this district, whom the import adopts
        # (_adopt_staff_made_by_hand). Anyone else (another district, a platform operator, someone
        # linked to another sourcedId, a second holder) refuses the row. NULLs count as different.
        self._problems_from(
            "users.csv",
            "email",
            f"""SELECT DISTINCT s.line, s.email FROM stg_user s JOIN accounts_user u ON LOWER(u.email) = s.email
                WHERE s.kind = 'staff' AND s.status = 'active'
                  AND ({self._differs([("u.district_id", "%s")])}
                       OR (u.roster_sourced_id IS NOT NULL AND u.roster_sourced_id <> s.sourced_id)
                       OR (u.roster_sourced_id IS NULL AND (
                             EXISTS (SELECT 1 FROM accounts_user o
                                     WHERE o.district_id = %s AND o.roster_sourced_id = s.sourced_id)
                             OR EXISTS (SELECT 1 FROM accounts_user o
                                        WHERE LOWER(o.email) = s.email AND o.id <> u.id))))""",
            [district_id, district_id],
            lambda email: f"{email!r} already belongs to another person in this system",
        )
        # The same for employee ids, unique in a district: held by anyone but the row's own person
        # (linked, or adopted by e-mail), the upsert would fail on the constraint.
        self._problems_from(
            "users.csv",
            "identifier",
            """SELECT DISTINCT s.line, s.identifier FROM stg_user s
                 JOIN accounts_user u ON u.district_id = %s AND u.employee_id = s.identifier
                WHERE s.kind = 'staff' AND s.status = 'active' AND s.identifier <> ''
                  AND (u.roster_sourced_id IS NULL OR u.roster_sourced_id <> s.sourced_id)
                  AND NOT (u.roster_sourced_id IS NULL AND LOWER(u.email) = s.email
                           AND NOT EXISTS (SELECT 1 FROM accounts_user o
                                           WHERE o.district_id = %s AND o.roster_sourced_id = s.sourced_id))""",
            [district_id, district_id],
            lambda value: f"employee id {value!r} already belongs to another person in this district",
        )
        self._problems_from(
            "users.csv",
            "identifier",
            """SELECT s.line, s.identifier FROM stg_user s JOIN accounts_student t
                  ON t.district_id = %s
                 AND t.sis_id = CASE WHEN s.identifier <> '' THEN s.identifier ELSE s.sourced_id END
                WHERE s.kind = 'student' AND s.status = 'active'
                  AND (t.roster_sourced_id IS NULL OR t.roster_sourced_id <> s.sourced_id)""",
            [district_id],
            lambda value: f"student id {value!r} already belongs to another student",
        )
        if has_classes:
            self._duplicates("stg_class", "sourced_id", "classes.csv", "sourcedId")
        if has_enrollments:
            self._duplicates("stg_enrollment", "sourced_id", "enrollments.csv", "sourcedId")
            self._problems_from(
                "enrollments.csv",
                "classSourcedId",
                """SELECT e.line, e.class_sourced_id FROM stg_enrollment e WHERE e.status = 'active'
                   AND NOT EXISTS (SELECT 1 FROM stg_class c WHERE c.sourced_id = e.class_sourced_id)""",
                [],
                lambda sid: f"unknown class {sid!r}",
            )
            self._problems_from(
                "enrollments.csv",
                "userSourcedId",
                """SELECT e.line, e.user_sourced_id FROM stg_enrollment e WHERE e.status = 'active'
                   AND NOT EXISTS (SELECT 1 FROM stg_user u WHERE u.sourced_id = e.user_sourced_id
                                   AND u.kind IN ('staff', 'student'))""",
                [],
                lambda sid: f"unknown user {sid!r}",
            )

    def _check_departures(self) -> None:
        """A users.csv cut short (a header only, the staff without the students) would deactivate
        everyone it leaves out. Staff and students are counted apart, so a file without the staff
        stands out beside the far more numerous students. A district's first import, with nobody
        from the roster yet, deactivates nobody. A dry run is refused alike, so the director sees
        the problem before the real run; with confirmation it shows who would leave."""
        if self.confirm_departures:
            return
        d = self.district.pk
        limit = self.district.roster_deactivation_limit_percent
        for kind, table, active_column, label in (
            ("staff", "accounts_user", "is_active", "staff"),
            ("student", "accounts_student", "active", "students"),
        ):
            leavers = self._leavers(kind, table, active_column)
            active = self._scalar(
                f"SELECT COUNT(*) FROM {table} WHERE district_id = %s AND roster_sourced_id IS NOT NULL "
                f"AND {active_column}",
                [d],
            )
            leaving = self._scalar(f"SELECT COUNT(*) FROM {table} WHERE {leavers}", [d])
            if not active or leaving * 100 <= limit * active:
                continue
            self.cursor.execute(
                f"SELECT first_name || ' ' || last_name FROM {table} WHERE {leavers} "
                "ORDER BY last_name, first_name LIMIT 3",
                [d],
            )
            examples = ", ".join(row[0] for row in self.cursor.fetchall())
            share = -(-leaving * 100 // active)  # rounded up: 33.3% over a 33% limit reads 34%
            self.report.add_problem(
                "users.csv",
                None,
                None,
                f"would deactivate {leaving:,} of the district's {active:,} active {label} ({share}%; its "
                f"policy allows {limit}% at once). If they have left, tick “{CONFIRM_DEPARTURES_LABEL}” "
                f"(or use --confirm-departures) and import again. For example: {examples}",
            )

    def _duplicate_student_ids(self) -> None:
        self._problems_from(
            "users.csv",
            "identifier",
            """SELECT s.line, s.sid, d.first_line FROM
                 (SELECT line, CASE WHEN identifier <> '' THEN identifier ELSE sourced_id END AS sid
                  FROM stg_user WHERE kind = 'student' AND status = 'active') s
               JOIN (SELECT CASE WHEN identifier <> '' THEN identifier ELSE sourced_id END AS sid,
                            MIN(line) AS first_line
                     FROM stg_user WHERE kind = 'student' AND status = 'active'
                     GROUP BY CASE WHEN identifier <> '' THEN identifier ELSE sourced_id END
                     HAVING COUNT(*) > 1) d ON d.sid = s.sid
               WHERE s.line > d.first_line""",
            [],
            lambda value, first: f"student id {value!r} already appears on line {first}",
        )

    # -- applying --------------------------------------------------------------------------

    def _differs(self, pairs: list[tuple[str, str]]) -> str:
        op = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        return "(" + " OR ".join(f"{a} {op} {b}" for a, b in pairs) + ")"

    def _scalar(self, sql: str, params: list[Any]) -> int:
        self.cursor.execute(sql, params)
        return int(self.cursor.fetchone()[0] or 0)

    def _bulk(self, name: str) -> bool:
        return self.modes.get(name, "bulk") == "bulk"

    def _apply_schools(self) -> None:
        d = self.district.pk
        if not self.district.roster_sourced_id:
            district_orgs = [sid for sid, kind in self.org_types.items() if kind == "district"]
            if len(district_orgs) == 1:
                district = District.objects.get(pk=d)  # a fresh copy: a dry run must leave the caller's unchanged
                district.roster_sourced_id = district_orgs[0]
                district._history_user = self.acting_user  # type: ignore[attr-defined]
                district._change_reason = self.change_reason  # type: ignore[attr-defined]
                district.save(update_fields=["roster_sourced_id"])
        src = "FROM stg_org s WHERE s.type = 'school' AND s.status = 'active'"
        match = "t.district_id = %s AND t.roster_sourced_id = s.sourced_id"
        fields = [("t.name", "s.name"), ("t.code", "s.identifier"), ("t.active", "TRUE")]
        created, changed = self._upsert(
            table="accounts_school",
            insert="district_id, roster_sourced_id, name, code, active",
            select=f"SELECT %s, s.sourced_id, s.name, s.identifier, TRUE {src}",
            conflict="district_id, roster_sourced_id",
            updates=[("name", "excluded.name"), ("code", "excluded.code"), ("active", "TRUE")],
            params=[d],
            pre_count=(
                f"SELECT COUNT(*) {src} AND NOT EXISTS (SELECT 1 FROM accounts_school t WHERE {match})",
                f"SELECT COUNT(*) {src} AND EXISTS "
                f"(SELECT 1 FROM accounts_school t WHERE {match} AND {self._differs(fields)})",
                [d],
            ),
        )
        gone = "s.sourced_id = accounts_school.roster_sourced_id"
        keep = f"EXISTS (SELECT 1 FROM stg_org s WHERE {gone} AND s.status = 'active')"
        retired = f"EXISTS (SELECT 1 FROM stg_org s WHERE {gone} AND s.status = 'tobedeleted')"
        condition = f"NOT {keep}" if self._bulk("orgs.csv") else retired
        self.cursor.execute(
            f"""UPDATE accounts_school SET active = FALSE
                WHERE district_id = %s AND roster_sourced_id IS NOT NULL AND active AND {condition}""",
            [d],
        )
        self.report.count("schools", "created", created)
        self.report.count("schools", "changed", changed)
        self.report.count("schools", "deactivated", self.cursor.rowcount)

    def _upsert(
        self,
        *,
        insert: str,
        select: str,
        conflict: str,
        updates: list[tuple[str, str]],
        table: str,
        params: list[Any],
        pre_count: tuple[str, str, list[Any]],
    ) -> tuple[int, int]:
        """INSERT … ON CONFLICT DO UPDATE that writes only rows that differ; returns (created, changed).

        PostgreSQL counts both from the statement itself (a new row has xmax = 0), saving two
        scans of a million rows; SQLite counts beforehand with the same conditions.
        """
        statement = (
            f"INSERT INTO {table} ({insert}) {select} ON CONFLICT ({conflict}) DO UPDATE "
            f"SET {', '.join(f'{c} = {v}' for c, v in updates)} "
            f"WHERE {self._differs([(f'{table}.{c}', v) for c, v in updates])}"
        )
        if self.postgres:
            self.cursor.execute(
                f"WITH written AS ({statement} RETURNING (xmax = 0) AS created) "
                "SELECT COUNT(*) FILTER (WHERE created), COUNT(*) FILTER (WHERE NOT created) FROM written",
                params,
            )
            created, changed = self.cursor.fetchone()
            return int(created), int(changed)
        created_sql, changed_sql, count_params = pre_count
        created = self._scalar(created_sql, count_params)
        changed = self._scalar(changed_sql, count_params)
        self.cursor.execute(statement, params)
        return created, changed

    def _leavers(self, kind: str, table: str, active_column: str) -> str:
        """WHERE clause (one parameter: the district) for the active roster people of one kind the
        file deactivates: marked tobedeleted, or (in a bulk file) no longer listed as active."""
        listed = (
            f"SELECT 1 FROM stg_user s WHERE s.sourced_id = {table}.roster_sourced_id "
            f"AND s.kind = '{kind}' AND s.status = 'active'"
        )
        retired = (
            f"SELECT 1 FROM stg_user s WHERE s.sourced_id = {table}.roster_sourced_id AND s.status = 'tobedeleted'"
        )
        condition = f"NOT EXISTS ({listed})" if self.modes.get("users.csv", "bulk") == "bulk" else f"EXISTS ({retired})"
        return f"district_id = %s AND roster_sourced_id IS NOT NULL AND {active_column} AND {condition}"

    def _people(
        self,
        *,
        kind: str,
        table: str,
        fields: list[tuple[str, str]],
        active_column: str,
        entity: str,
        extra_insert: dict[str, str],
        joins: str = "",
    ) -> None:
        """Create or update one kind of person, then deactivate those who left."""
        d = self.district.pk
        src = f"FROM stg_user s {joins} WHERE s.kind = '{kind}' AND s.status = 'active'"
        match = "t.district_id = %s AND t.roster_sourced_id = s.sourced_id"
        compare = [(f"t.{c}", e) for c, e in fields] + [(f"t.{active_column}", "TRUE")]
        columns = ["district_id", "roster_sourced_id", *[c for c, _ in fields], active_column, "left_on", *extra_insert]
        values = ["%s", "s.sourced_id", *[e for _, e in fields], "TRUE", "NULL", *extra_insert.values()]
        created, changed = self._upsert(
            table=table,
            insert=", ".join(columns),
            select=f"SELECT {', '.join(values)} {src}",
            conflict="district_id, roster_sourced_id",
            updates=[(c, f"excluded.{c}") for c, _ in fields] + [(active_column, "TRUE"), ("left_on", "NULL")],
            params=[d],
            pre_count=(
                f"SELECT COUNT(*) {src} AND NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})",
                f"SELECT COUNT(*) {src} AND EXISTS (SELECT 1 FROM {table} t WHERE {match} "
                f"AND {self._differs(compare)})",
                [d],
            ),
        )
        self.report.count(entity, "created", created)
        self.report.count(entity, "changed", changed)
        where = self._leavers(kind, table, active_column)
        self.cursor.execute(f"UPDATE {table} SET {active_column} = FALSE, left_on = %s WHERE {where}", [self.today, d])
        deactivated = self.cursor.rowcount
        self.report.count(entity, "deactivated", deactivated)
        if deactivated:  # a few names, so a director can tell a real leaver list from a wrong file
            self.cursor.execute(
                f"SELECT first_name || ' ' || last_name FROM {table} WHERE district_id = %s "
                f"AND NOT {active_column} AND left_on = %s ORDER BY last_name LIMIT 5",
                [d, self.today],
            )
            self.report.deactivated_examples += [f"{row[0]} ({entity})" for row in self.cursor.fetchall()]

    def _adopt_staff_made_by_hand(self) -> None:
        """Staff created in the app before the district's first import are the roster's people
        too: linked to their row by e-mail (without case), the upsert then keeps them up to date
        instead of failing on their e-mail. _check_across_rows refused every ambiguous match."""
        row = (
            "SELECT {} FROM stg_user s "
            "WHERE s.kind = 'staff' AND s.status = 'active' AND s.email = LOWER(accounts_user.email)"
        )
        self.cursor.execute(
            f"""UPDATE accounts_user SET roster_sourced_id = ({row.format("s.sourced_id")})
                WHERE district_id = %s AND roster_sourced_id IS NULL AND EXISTS ({row.format("1")})""",
            [self.district.pk],
        )
        if self.cursor.rowcount:  # counted only when it happens: after the first import it never does
            self.report.count("staff", "matched", self.cursor.rowcount)

    def _apply_staff(self) -> None:
        password = "'!' || md5(random()::text)" if self.postgres else "'!' || hex(randomblob(20))"
        self._people(
            kind="staff",
            table="accounts_user",
            fields=[
                ("email", "s.email"),
                ("first_name", "s.given_name"),
                ("last_name", "s.family_name"),
                ("employee_id", "s.identifier"),
            ],
            active_column="is_active",
            entity="staff",
            extra_insert={
                "password": password,
                "is_staff": "FALSE",
                "is_superuser": "FALSE",
                "job_title": "''",
                "date_joined": "CURRENT_TIMESTAMP",
            },
        )

    def _apply_students(self) -> None:
        d = int(self.district.pk)
        self._people(
            kind="student",
            table="accounts_student",
            fields=[
                ("sis_id", "CASE WHEN s.identifier <> '' THEN s.identifier ELSE s.sourced_id END"),
                ("first_name", "s.given_name"),
                ("last_name", "s.family_name"),
                ("grade", "s.grade"),
                ("school_id", "k.id"),
            ],
            active_column="active",
            entity="students",
            extra_insert={},
            joins=f"JOIN accounts_school k ON k.district_id = {d} AND k.roster_sourced_id = s.school_sourced_id",
        )

    def _apply_memberships(self) -> None:
        """Roster staff get the staff role at each school (or district-wide) they are listed at.
        Anyone who left loses every role, including those assigned in the app."""
        d = self.district.pk
        self.cursor.execute(
            """UPDATE accounts_membership SET ended_on = %s
               WHERE district_id = %s AND ended_on IS NULL
                 AND user_id IN (SELECT id FROM accounts_user WHERE district_id = %s AND NOT is_active)""",
            [self.today, d, d],
        )
        ended = self.cursor.rowcount
        # Leavers stop being members of any club, team or class too.
        self.cursor.execute(
            """UPDATE accounts_programmembership SET ended_on = %s WHERE ended_on IS NULL
                AND (student_id IN (SELECT id FROM accounts_student WHERE district_id = %s AND NOT active)
                     OR user_id IN (SELECT id FROM accounts_user WHERE district_id = %s AND NOT is_active))""",
            [self.today, d, d],
        )
        # The staff roles the roster asks for, materialised once (school 0 = district-wide).
        self.cursor.execute(
            """INSERT INTO stg_staff_role (user_id, school_key)
               SELECT DISTINCT u.id, COALESCE(k.id, 0) FROM stg_user_org l
               JOIN stg_user s ON s.sourced_id = l.user_sourced_id AND s.kind = 'staff' AND s.status = 'active'
               JOIN accounts_user u ON u.district_id = %s AND u.roster_sourced_id = s.sourced_id
               LEFT JOIN accounts_school k ON k.district_id = %s AND k.roster_sourced_id = l.org_sourced_id""",
            [d, d],
        )
        self.cursor.execute("CREATE INDEX stg_staff_role_key ON stg_staff_role (user_id, school_key)")
        self.cursor.execute(
            """UPDATE accounts_membership SET ended_on = %s
                WHERE district_id = %s AND ended_on IS NULL AND role = 'staff' AND source = 'roster'
                  AND user_id IN (SELECT u.id FROM accounts_user u JOIN stg_user s
                                  ON u.district_id = %s AND u.roster_sourced_id = s.sourced_id)
                  AND NOT EXISTS (SELECT 1 FROM stg_staff_role w WHERE w.user_id = accounts_membership.user_id
                                  AND w.school_key = COALESCE(accounts_membership.school_id, 0))""",
            [self.today, d, d],
        )
        ended += self.cursor.rowcount
        self.cursor.execute(
            """INSERT INTO accounts_membership (user_id, district_id, school_id, role, source, started_on)
                SELECT w.user_id, %s, NULLIF(w.school_key, 0), 'staff', 'roster', %s FROM stg_staff_role w
                WHERE NOT EXISTS (SELECT 1 FROM accounts_membership m WHERE m.user_id = w.user_id
                                  AND m.role = 'staff' AND m.ended_on IS NULL
                                  AND COALESCE(m.school_id, 0) = w.school_key)""",
            [d, self.today],
        )
        self.report.counts["staff roles"] = {"created": self.cursor.rowcount, "ended": ended}

    def _apply_classes(self) -> None:
        d = self.district.pk
        src = (
            "FROM stg_class s JOIN accounts_school k ON k.district_id = %s "
            "AND k.roster_sourced_id = s.school_sourced_id WHERE s.status = 'active'"
        )
        match = "t.school_id = k.id AND t.roster_sourced_id = s.sourced_id"
        created, changed = self._upsert(
            table="accounts_program",
            insert="school_id, roster_sourced_id, name, kind, active",
            select=f"SELECT k.id, s.sourced_id, s.title, 'class', TRUE {src}",
            conflict="school_id, roster_sourced_id",
            updates=[("name", "excluded.name"), ("active", "TRUE")],
            params=[d],
            pre_count=(
                f"SELECT COUNT(*) {src} AND NOT EXISTS (SELECT 1 FROM accounts_program t WHERE {match})",
                f"SELECT COUNT(*) {src} AND EXISTS (SELECT 1 FROM accounts_program t WHERE {match} "
                f"AND {self._differs([('t.name', 's.title'), ('t.active', 'TRUE')])})",
                [d],
            ),
        )
        listed = "SELECT s.sourced_id FROM stg_class s WHERE s.status = 'active'"
        retired = "SELECT s.sourced_id FROM stg_class s WHERE s.status = 'tobedeleted'"
        condition = (
            f"roster_sourced_id NOT IN ({listed})" if self._bulk("classes.csv") else f"roster_sourced_id IN ({retired})"
        )
        self.cursor.execute(
            f"""UPDATE accounts_program SET active = FALSE WHERE active AND roster_sourced_id IS NOT NULL
                AND school_id IN (SELECT id FROM accounts_school WHERE district_id = %s) AND {condition}""",
            [d],
        )
        self.report.count("classes", "created", created)
        self.report.count("classes", "changed", changed)
        self.report.count("classes", "deactivated", self.cursor.rowcount)

    def _apply_enrollments(self) -> None:
        d = self.district.pk
        # The program, student or staff member each enrollment row names.
        resolved = f"""SELECT e.sourced_id, e.status, p.id AS program_id, st.id AS student_id, u.id AS user_id,
                              CASE WHEN e.role = 'student' THEN 'member' ELSE 'teacher' END AS role
                       FROM stg_enrollment e
                       JOIN accounts_program p ON p.roster_sourced_id = e.class_sourced_id
                        AND p.school_id IN (SELECT id FROM accounts_school WHERE district_id = {int(d)})
                       LEFT JOIN accounts_student st ON st.district_id = {int(d)}
                        AND st.roster_sourced_id = e.user_sourced_id
                        AND st.active
                       LEFT JOIN accounts_user u ON u.district_id = {int(d)} AND u.roster_sourced_id = e.user_sourced_id
                        AND u.is_active"""
        listed = f"SELECT r.sourced_id FROM ({resolved}) r WHERE r.status = 'active'"
        retired = "SELECT s.sourced_id FROM stg_enrollment s WHERE s.status = 'tobedeleted'"
        in_district = (
            "program_id IN (SELECT p.id FROM accounts_program p "
            "JOIN accounts_school k ON k.id = p.school_id WHERE k.district_id = %s)"
        )
        condition = (
            f"roster_sourced_id NOT IN ({listed})"
            if self._bulk("enrollments.csv")
            else f"roster_sourced_id IN ({retired})"
        )
        self.cursor.execute(
            f"""UPDATE accounts_programmembership SET ended_on = %s
                WHERE ended_on IS NULL AND source = 'roster' AND {in_district} AND {condition}""",
            [self.today, d],
        )
        ended = self.cursor.rowcount
        self.cursor.execute(
            f"""INSERT INTO accounts_programmembership
                  (program_id, student_id, user_id, role, source, roster_sourced_id, started_on)
                SELECT r.program_id, r.student_id, CASE WHEN r.student_id IS NULL THEN r.user_id END,
                       r.role, 'roster', r.sourced_id, %s
                FROM ({resolved}) r
                WHERE r.status = 'active' AND (r.student_id IS NOT NULL OR r.user_id IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM accounts_programmembership m WHERE m.program_id = r.program_id
                                  AND m.ended_on IS NULL
                                  AND (m.student_id = r.student_id
                                       OR (r.student_id IS NULL AND m.user_id = r.user_id)))""",
            [self.today],
        )
        self.report.counts["enrollments"] = {"created": self.cursor.rowcount, "ended": ended}


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
