"""What each OneRoster file holds: its columns (FileSpec), the words its values may be, and the
checks of one value that every file's rows share (status, dates, grades, lengths)."""

from __future__ import annotations

import datetime
import re

from accounts.roster.report import RosterReport
from core.csv_reader import FileSpec

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
# A student's family: stored as guardians (accounts.models.Guardian), linked by agentSourcedIds.
GUARDIAN_ROLES = frozenset({"guardian", "parent", "relative"})
ORG_TYPES = frozenset({"department", "school", "district", "local", "state", "national"})
STATUSES = {"": "active", "active": "active", "tobedeleted": "tobedeleted", "inactive": "tobedeleted"}

GRADE_ALIASES = {"K": "KG", "KINDERGARTEN": "KG", "PREK": "PK", "PRE-K": "PK", "TRANSITIONAL K": "TK"}
CEDS_GRADES = frozenset({"IT", "PR", "PK", "TK", "KG", "PS", "UG", "OTHER"} | {f"{n:02d}" for n in range(1, 14)})
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# What a guardian's row adds: how to reach them, and whose family they are (either side may list the other).
GUARDIAN_COLUMNS = ("phone", "sms", "agentSourcedIds", "preferredLanguage", "metadata.preferredLanguage")
# OneRoster has no supervisor field: an export that knows it adds this extension column (the
# supervisor's sourcedId). Where it is given the roster sets supervisors; where blank it leaves them.
SUPERVISOR_COLUMN = "metadata.supervisorSourcedId"
MANIFEST = FileSpec("manifest.csv", ("propertyName", "value"))
# users.csv differs between versions: OneRoster 1.2 gives each user's roles, and their orgs, in roles.csv.
SPECS = {
    "orgs.csv": FileSpec(
        "orgs.csv", ("sourcedId", "name", "type"), ("status", "dateLastModified", "identifier", "parentSourcedId")
    ),
    "users.csv@1.1": FileSpec(
        "users.csv",
        ("sourcedId", "orgSourcedIds", "role", "givenName", "familyName"),
        (
            "status",
            "dateLastModified",
            "enabledUser",
            "username",
            "identifier",
            "email",
            "grades",
            "middleName",
            *GUARDIAN_COLUMNS,
            SUPERVISOR_COLUMN,
        ),
    ),
    "users.csv@1.2": FileSpec(
        "users.csv",
        ("sourcedId", "givenName", "familyName"),
        (
            "status",
            "dateLastModified",
            "enabledUser",
            "username",
            "identifier",
            "email",
            "grades",
            "middleName",
            *GUARDIAN_COLUMNS,
            SUPERVISOR_COLUMN,
        ),
    ),
    "roles.csv": FileSpec(
        "roles.csv",
        ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
        ("status", "dateLastModified", "beginDate", "endDate"),
    ),
    "classes.csv": FileSpec(
        "classes.csv", ("sourcedId", "title", "schoolSourcedId"), ("status", "dateLastModified", "classCode")
    ),
    # Only the birth date is read (it finds a student on a paper form that has no student id); the
    # file's sex, race and ethnicity columns are never read: the product needs none of them.
    "demographics.csv": FileSpec("demographics.csv", ("sourcedId",), ("status", "dateLastModified", "birthDate")),
    "enrollments.csv": FileSpec(
        "enrollments.csv",
        ("sourcedId", "classSourcedId", "userSourcedId", "role"),
        ("status", "dateLastModified", "schoolSourcedId", "beginDate", "endDate", "primary"),
    ),
}


# --- Checks of one value: each reports at the row's file, line and field -------------------


def status_of(report: RosterReport, file: str, line: int, value: str) -> str | None:
    status = STATUSES.get(value.lower())
    if status is None:
        report.add_problem(file, line, "status", f"{value!r} is not active or tobedeleted")
    return status


def check_date(report: RosterReport, file: str, line: int, column: str, value: str) -> None:
    """Dates the product never reads (dateLastModified, beginDate, endDate): a value that is not a
    date is a warning on the report, never a reason to refuse the bundle."""
    if not value:
        return
    try:
        if len(value) <= 10:
            datetime.date.fromisoformat(value)
        else:
            datetime.datetime.fromisoformat(value)
    except ValueError:
        report.add_warning(file, line, column, f"{value!r} is not a date (expected YYYY-MM-DD); not used, so ignored")


def birth_date_of(report: RosterReport, file: str, line: int, value: str, today: datetime.date) -> str:
    """A birth date as YYYY-MM-DD ("" when none is given). Refused when it is not a date, or not one
    a student could have (in the future, or more than 120 years ago)."""
    value = value.strip()
    if not value:
        return ""
    day = value[:10] if len(value) > 10 and value[10] in "T " else value  # a date-time at midnight is common
    try:
        born = datetime.date.fromisoformat(day) if len(day) == 10 else None
    except ValueError:
        born = None
    if born is None:
        report.add_problem(file, line, "birthDate", f"{value!r} is not a date (expected YYYY-MM-DD)")
        return ""
    if born > today or born.year < today.year - 120:
        report.add_problem(file, line, "birthDate", f"{value!r} cannot be a student's birth date")
        return ""
    return born.isoformat()


def has_required(report: RosterReport, file: str, line: int, row: dict[str, str], *columns: str) -> bool:
    ok = True
    for column in columns:
        if not row.get(column):
            report.add_problem(file, line, column, "a value is required")
            ok = False
    return ok


def check_lengths(report: RosterReport, file: str, line: int, row: dict[str, str], limits: dict[str, int]) -> None:
    for column, limit in limits.items():
        if len(row.get(column, "")) > limit:
            report.add_problem(file, line, column, f"longer than {limit} characters")


def grade_of(report: RosterReport, file: str, line: int, value: str) -> str:
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
