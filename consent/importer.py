"""Reading a consent CSV (one family answer per row) into a plan, without writing anything.

Columns: sis_id, scope, decision, date (required); guardian, received_as, note, school_year
(optional). Every problem is reported with its line and field; one problem refuses the file.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import District, Student, school_year_for
from consent import rules
from consent.models import REPEATABLE_KINDS, ConsentRecord, ConsentScope, Decision, ReceivedBy, ScopeKind
from core.csv_reader import MAX_PROBLEMS, CsvRows, FileSpec, Problem

SPEC = FileSpec(
    "consent.csv",
    required=("sis_id", "scope", "decision", "date"),
    optional=("guardian", "received_as", "note", "school_year"),
)
COLUMNS = SPEC.columns

DECISION_WORDS = {
    "granted": Decision.GRANTED,
    "grant": Decision.GRANTED,
    "yes": Decision.GRANTED,
    "consent": Decision.GRANTED,
    "refused": Decision.REFUSED,
    "refuse": Decision.REFUSED,
    "no": Decision.REFUSED,
    "opt out": Decision.REFUSED,
    "opt-out": Decision.REFUSED,
    "opted out": Decision.REFUSED,
    "withdrawn": Decision.WITHDRAWN,
    "withdraw": Decision.WITHDRAWN,
}
RECEIVED_WORDS = {choice.value: choice.value for choice in ReceivedBy} | {
    label.lower(): value for value, label in ReceivedBy.choices
}
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
LIMITS = {"guardian": 200, "note": 500}
BATCH = 5000  # students per look-up query (SQLite allows about 32,000 parameters)


@dataclass
class Report:
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def add_problem(self, file: str, line: int | None, field_name: str | None, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(file, line, field_name, message))


class _OneFile:
    """Lets the shared CSV reader (core.csv_reader) read an uploaded file."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def open_binary(self, name: str) -> IO[bytes]:
        return io.BytesIO(self.data)


def _date(value: str) -> datetime.date | None:
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    return None


def _school_year(value: str, default: int) -> int | None:
    """ "2026", "2026-27" or "2026–2027" name the school year starting in 2026."""
    if not value:
        return default
    head = value.replace("–", "-").split("-")[0].strip()
    if len(head) == 4 and head.isdigit() and 1990 <= int(head) <= 2100:
        return int(head)
    return None


def _scope_lookup(district: District) -> dict[str, ConsentScope]:
    lookup: dict[str, ConsentScope] = {}
    # Participation in a tool is answered on its authorization, for the students enrolled in it.
    scopes = ConsentScope.objects.filter(district=district, active=True).exclude(kind=ScopeKind.PARTICIPATION)
    for scope in scopes.select_related("district"):
        lookup[scope.name.lower()] = scope
        if scope.kind not in REPEATABLE_KINDS:  # a district's own scopes are found by name only
            lookup[scope.kind] = scope
    return lookup


@dataclass
class PlannedRow:
    line: int
    student_id: int
    scope_id: int
    decision: str
    received_on: datetime.date
    school_year: int
    guardian: str
    received_by: str
    note: str
    # What was on file when the file was checked: applying compares these again.
    before: str | None = None
    before_received_on: str | None = None
    already_on_file: bool = False

    @property
    def effect(self) -> str:
        if self.already_on_file:
            return "already on file"
        if self.before is None:
            return "first answer"
        if self.before_received_on and self.received_on.isoformat() < self.before_received_on:
            return "older than the answer on file: kept for the record"
        if self.before == self.decision:
            return "confirms the current answer"
        return "changes the current answer"

    @property
    def records(self) -> bool:
        return not self.already_on_file

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "student_id": self.student_id,
            "scope_id": self.scope_id,
            "decision": self.decision,
            "received_on": self.received_on.isoformat(),
            "school_year": self.school_year,
            "guardian": self.guardian,
            "received_by": self.received_by,
            "note": self.note,
            "before": self.before,
            "before_received_on": self.before_received_on,
            "already_on_file": self.already_on_file,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlannedRow:
        return cls(**{**data, "received_on": datetime.date.fromisoformat(data["received_on"])})


def read(
    data: bytes, *, district: District, students: QuerySet[Student], today: datetime.date
) -> tuple[list[PlannedRow], Report]:
    """The rows of the file, checked against the district's scopes and the students the
    uploader may record for. Nothing is written."""
    report = Report()
    scopes = _scope_lookup(district)
    rows: list[tuple[int, dict[str, str]]] = []
    for line, row in CsvRows(_OneFile(data), SPEC, report, lambda n: None):
        rows.append((line, row))
    report.rows_read = len(rows)
    known = dict(
        students.filter(sis_id__in={row["sis_id"] for _, row in rows if row["sis_id"]}).values_list("sis_id", "pk")
    )
    planned: list[PlannedRow] = []
    seen: dict[tuple[int, int], int] = {}
    name = SPEC.name
    for line, row in rows:
        problems_before = report.problem_count
        for column in SPEC.required:
            if not row.get(column):
                report.add_problem(name, line, column, "this field is required")
        for column, limit in LIMITS.items():
            if len(row.get(column, "")) > limit:
                report.add_problem(name, line, column, f"longer than {limit} characters")
        if report.problem_count != problems_before:
            continue
        student_id = known.get(row["sis_id"])
        if student_id is None:
            report.add_problem(
                name, line, "sis_id", f"no student with id “{row['sis_id'][:64]}” at a school you record for"
            )
        scope = scopes.get(row["scope"].lower())
        if scope is None:
            choices = ", ".join(sorted(s.name for s in set(scopes.values())))
            report.add_problem(name, line, "scope", f"“{row['scope'][:80]}” is not one of your scopes ({choices})")
        decision = DECISION_WORDS.get(row["decision"].lower())
        if decision is None:
            report.add_problem(name, line, "decision", "use granted, refused or withdrawn")
        received_on = _date(row["date"])
        if received_on is None:
            report.add_problem(name, line, "date", "use a date such as 2026-09-03 or 9/3/2026")
        else:
            try:
                ConsentRecord.check_received_on(received_on, today)
            except ValidationError as error:
                report.add_problem(name, line, "date", error.message_dict["received_on"][0])
                received_on = None
        received_by = RECEIVED_WORDS.get(row.get("received_as", "").lower() or ReceivedBy.SIS_IMPORT.value)
        if received_by is None:
            report.add_problem(name, line, "received_as", "use paper, email, online or sis_import")
        school_year = None
        if received_on is not None:
            school_year = _school_year(
                row.get("school_year", ""), school_year_for(received_on, district.school_year_start_month).start_year
            )
            if school_year is None:
                report.add_problem(name, line, "school_year", "use the year the school year starts in, e.g. 2026-27")
            else:
                try:
                    ConsentRecord.check_school_year(school_year, received_on, district.school_year_start_month)
                except ValidationError as error:
                    report.add_problem(name, line, "school_year", error.message_dict["school_year"][0])
                    school_year = None
        # A value still missing here was reported as a problem above.
        if (
            report.problem_count != problems_before
            or student_id is None
            or scope is None
            or decision is None
            or received_on is None
            or school_year is None
            or received_by is None
        ):
            continue
        key = (student_id, scope.pk)
        if key in seen:
            report.add_problem(name, line, "sis_id", f"this student already has a row for {scope} on line {seen[key]}")
            continue
        seen[key] = line
        planned.append(
            PlannedRow(
                line=line,
                student_id=student_id,
                scope_id=scope.pk,
                decision=decision,
                received_on=received_on,
                school_year=school_year,
                guardian=row.get("guardian", ""),
                received_by=received_by,
                note=row.get("note", ""),
            )
        )
    if not rows and report.problem_count == 0:
        report.add_problem(name, None, None, "the file has a header but no rows")
    return planned, report


def on_file(planned: list[PlannedRow], district: District, today: datetime.date) -> None:
    """Fills in what each row finds on file today: the current answer, and whether the very
    same record exists (so uploading the same export twice records nothing twice).
    Two queries per scope and 5,000 rows."""
    scopes = {scope.pk: scope for scope in ConsentScope.objects.filter(district=district).select_related("district")}
    by_scope: dict[int, list[PlannedRow]] = {}
    for row in planned:
        by_scope.setdefault(row.scope_id, []).append(row)
    for scope_id, rows_all in by_scope.items():
        for start in range(0, len(rows_all), BATCH):
            _on_file(rows_all[start : start + BATCH], scopes[scope_id], today)


def _on_file(rows_of_scope: list[PlannedRow], scope: ConsentScope, today: datetime.date) -> None:
    student_ids = [r.student_id for r in rows_of_scope]
    answers = {
        pk: (decision, received_on)
        for pk, decision, received_on in rules.annotate_standing(
            Student.objects.filter(pk__in=student_ids), scope, today
        ).values_list("pk", "consent_decision", "consent_received_on")
    }
    existing = set(
        ConsentRecord.objects.filter(scope=scope, student_id__in=student_ids).values_list(
            "student_id", "decision", "received_on", "school_year"
        )
    )
    for row in rows_of_scope:
        decision, received_on = answers.get(row.student_id, (None, None))
        row.before = decision
        row.before_received_on = received_on.isoformat() if received_on else None
        row.already_on_file = (row.student_id, row.decision, row.received_on, row.school_year) in existing
