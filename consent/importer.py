"""Reading a consent CSV into a plan, without writing anything.

Two layouts. The standard one, one family answer per row: sis_id, scope, decision, date (required);
guardian, received_as, note, school_year (optional). The district's own export, one student per row
with a column per scope, read through the columns the district mapped (ColumnMapping). Every
problem is reported with its line and field; one problem refuses the file.
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


def _when(
    report: Report,
    name: str,
    line: int,
    district: District,
    today: datetime.date,
    date: tuple[str, str],
    year: tuple[str, str],
) -> tuple[datetime.date | None, int | None]:
    """The date an answer was received and the school year it counts for, from the (column, value)
    pairs of a row; a value that cannot be used is reported against its column and comes back None."""
    date_column, date_value = date
    year_column, year_value = year
    received_on = _date(date_value)
    if received_on is None:
        report.add_problem(name, line, date_column, "use a date such as 2026-09-03 or 9/3/2026")
        return None, None
    try:
        ConsentRecord.check_received_on(received_on, today)
    except ValidationError as error:
        report.add_problem(name, line, date_column, error.message_dict["received_on"][0])
        return None, None
    school_year = _school_year(year_value, school_year_for(received_on, district.school_year_start_month).start_year)
    if school_year is None:
        report.add_problem(name, line, year_column, "use the year the school year starts in, e.g. 2026-27")
        return received_on, None
    try:
        ConsentRecord.check_school_year(school_year, received_on, district.school_year_start_month)
    except ValidationError as error:
        report.add_problem(name, line, year_column, error.message_dict["school_year"][0])
        return received_on, None
    return received_on, school_year


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
        received_on, school_year = _when(
            report, name, line, district, today, ("date", row["date"]), ("school_year", row.get("school_year", ""))
        )
        received_by = RECEIVED_WORDS.get(row.get("received_as", "").lower() or ReceivedBy.SIS_IMPORT.value)
        if received_by is None:
            report.add_problem(name, line, "received_as", "use paper, email, online or sis_import")
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


# --- The district's own export: one row per student, one column per scope ----------------------

# What a column of the district's export may hold besides the scopes, in the template's order, and
# the template's header for it until the district maps its own.
MAPPED_FIELDS = ("sis_id", "first_name", "last_name", "birth_date", "date", "school_year", "guardian")
NAME_FIELDS = ("first_name", "last_name", "birth_date")
DEFAULT_HEADERS = {
    "sis_id": "Student id",
    "first_name": "First name",
    "last_name": "Last name",
    "birth_date": "Birth date",
    "date": "Date received",
    "school_year": "School year",
    "guardian": "Parent or guardian",
}


@dataclass(frozen=True)
class ColumnMapping:
    """Which header of the district's export holds each field (absent: the export has none) and
    which holds the answer for each scope (by scope id)."""

    fields: dict[str, str]
    scopes: dict[int, str]

    def as_json(self) -> dict[str, Any]:
        return {**self.fields, "scopes": {str(pk): header for pk, header in self.scopes.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ColumnMapping:
        scopes = data.get("scopes") or {}
        return cls(
            fields={name: str(data[name]) for name in MAPPED_FIELDS if data.get(name)},
            scopes={int(pk): str(header) for pk, header in scopes.items() if str(pk).isdigit() and header},
        )

    @classmethod
    def default(cls, scopes: list[ConsentScope]) -> ColumnMapping:
        return cls(fields=dict(DEFAULT_HEADERS), scopes={scope.pk: scope.name for scope in scopes})

    def for_scopes(self, scopes: list[ConsentScope]) -> ColumnMapping:
        """The mapping for the district's scopes today: a retired scope's column left out, a new
        scope's column named after it."""
        return ColumnMapping(self.fields, {scope.pk: self.scopes.get(scope.pk, scope.name) for scope in scopes})

    @property
    def by_name(self) -> bool:
        """Students are found by name and birth date (in rows without a student id)."""
        return all(name in self.fields for name in NAME_FIELDS)

    def headers(self, scopes: list[ConsentScope]) -> list[str]:
        """The template's header row: the fields the export has, then a column per scope."""
        return [self.fields[name] for name in MAPPED_FIELDS if name in self.fields] + [
            self.scopes[scope.pk] for scope in scopes if scope.pk in self.scopes
        ]


def _name_key(first: str, last: str, born: datetime.date) -> tuple[str, str, datetime.date]:
    return (" ".join(first.split()).casefold(), " ".join(last.split()).casefold(), born)


def read_mapped(
    data: bytes,
    *,
    district: District,
    students: QuerySet[Student],
    today: datetime.date,
    mapping: ColumnMapping,
    file_name: str,
) -> tuple[list[PlannedRow], Report]:
    """The district's own export, read through its column mapping: a row per student (found by
    student id, or by name and birth date where the row has no id), an answer per scope column (an
    empty cell: no answer for that scope). Nothing is written; problems name the export's columns."""
    report = Report()
    name = file_name or SPEC.name
    active = {scope.pk: scope for scope in _scope_lookup(district).values()}
    scope_columns = [(active[pk], header) for pk, header in mapping.scopes.items() if pk in active]
    columns = mapping.fields
    spec = FileSpec(name, required=tuple(columns.values()) + tuple(header for _, header in scope_columns))
    rows: list[tuple[int, dict[str, str]]] = list(CsvRows(_OneFile(data), spec, report, lambda n: None))
    report.rows_read = len(rows)

    def cell(row: dict[str, str], field_name: str) -> str:
        return row.get(columns[field_name], "") if field_name in columns else ""

    by_id = dict(
        students.filter(sis_id__in={cell(row, "sis_id") for _, row in rows} - {""}).values_list("sis_id", "pk")
    )
    by_name: dict[tuple[str, str, datetime.date], list[int]] = {}
    if mapping.by_name:
        born = {day for _, row in rows if not cell(row, "sis_id") and (day := _date(cell(row, "birth_date")))}
        for pk, first, last, birth_date in students.filter(birth_date__in=born).values_list(
            "pk", "first_name", "last_name", "birth_date"
        ):
            if birth_date is not None:
                by_name.setdefault(_name_key(first, last, birth_date), []).append(pk)
    name_columns = " + ".join(columns.get(field_name, "") for field_name in NAME_FIELDS)
    planned: list[PlannedRow] = []
    seen: dict[tuple[int, int], int] = {}
    for line, row in rows:
        problems_before = report.problem_count
        guardian = cell(row, "guardian")
        if len(guardian) > LIMITS["guardian"]:
            report.add_problem(name, line, columns["guardian"], f"longer than {LIMITS['guardian']} characters")
        student_id = _find_student(report, name, line, row, mapping, by_id, by_name, name_columns)
        if not cell(row, "date"):
            report.add_problem(name, line, columns["date"], "this field is required")
            received_on, school_year = None, None
        else:
            received_on, school_year = _when(
                report,
                name,
                line,
                district,
                today,
                (columns["date"], cell(row, "date")),
                (columns.get("school_year", "school_year"), cell(row, "school_year")),
            )
        answers = []
        for scope, header in scope_columns:
            word = row.get(header, "")
            if not word:
                continue  # the family gave no answer for this scope
            decision = DECISION_WORDS.get(word.lower())
            if decision is None:
                report.add_problem(name, line, header, "use granted, refused or withdrawn, or leave it empty")
            else:
                answers.append((scope, decision))
        if report.problem_count != problems_before or student_id is None or received_on is None or school_year is None:
            continue
        for scope, decision in answers:
            key = (student_id, scope.pk)
            if key in seen:
                report.add_problem(
                    name, line, scope_columns_header(scope_columns, scope), f"this student is also on line {seen[key]}"
                )
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
                    guardian=guardian,
                    received_by=ReceivedBy.SIS_IMPORT,
                    note="",
                )
            )
    if not rows and report.problem_count == 0:
        report.add_problem(name, None, None, "the file has a header but no rows")
    return planned, report


def scope_columns_header(scope_columns: list[tuple[ConsentScope, str]], scope: ConsentScope) -> str:
    return next(header for each, header in scope_columns if each.pk == scope.pk)


def _find_student(
    report: Report,
    name: str,
    line: int,
    row: dict[str, str],
    mapping: ColumnMapping,
    by_id: dict[str, int],
    by_name: dict[tuple[str, str, datetime.date], list[int]],
    name_columns: str,
) -> int | None:
    """The student of a row: by student id when the row has one, else by name and birth date."""
    columns = mapping.fields
    sis_id = row.get(columns["sis_id"], "") if "sis_id" in columns else ""
    if sis_id:
        student_id = by_id.get(sis_id)
        if student_id is None:
            report.add_problem(
                name, line, columns["sis_id"], f"no student with id “{sis_id[:64]}” at a school you record for"
            )
        return student_id
    if not mapping.by_name:
        report.add_problem(name, line, columns.get("sis_id", "sis_id"), "this field is required")
        return None
    first, last, born_text = (row.get(columns[field_name], "") for field_name in NAME_FIELDS)
    for field_name, value in zip(NAME_FIELDS, (first, last, born_text), strict=True):
        if not value:
            report.add_problem(name, line, columns[field_name], "this field is required (the row has no student id)")
    if not (first and last and born_text):
        return None
    born = _date(born_text)
    if born is None:
        report.add_problem(name, line, columns["birth_date"], "use a date such as 2014-05-21 or 5/21/2014")
        return None
    found = by_name.get(_name_key(first, last, born), [])
    if len(found) == 1:
        return found[0]
    who = f"{first[:60]} {last[:60]}, born {born:%Y-%m-%d}"
    if found:
        report.add_problem(
            name, line, name_columns, f"{len(found)} students are named {who}: give the student id to tell them apart"
        )
    else:
        report.add_problem(name, line, name_columns, f"no student named {who} at a school you record for")
    return None


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
