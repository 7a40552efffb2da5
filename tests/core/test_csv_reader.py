"""The CSV reader both imports share (the roster and the consent CSV), read directly: every problem
at its file, line and field."""

from __future__ import annotations

import io
from typing import IO

from core.csv_reader import CsvRows, FileSpec, Problem

SPEC = FileSpec("people.csv", required=("sourcedId", "givenName"), optional=("email",))


class OneFile:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def open_binary(self, name: str) -> IO[bytes]:
        return io.BytesIO(self.data)


class Report:
    """The least a report needs: somewhere to put problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add_problem(self, file: str, line: int | None, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(file, line, field_name, message))


def read(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    report = Report()
    rows = list(CsvRows(OneFile(data), SPEC, report))
    return rows, report.problems


def test_it_matches_headers_without_case_or_surrounding_spaces_and_ignores_unknown_columns():
    rows, problems = read(b" SOURCEDID ,extension,givenname, Email\r\nu1,x, Ada ,ada@example.org\r\n")

    assert problems == []
    assert rows == [(2, {"sourcedId": "u1", "givenName": "Ada", "email": "ada@example.org"})]


def test_it_reports_a_missing_required_column_at_line_1_with_its_field_and_reads_no_row():
    rows, problems = read(b"sourcedId,email\nu1,ada@example.org\n")

    assert rows == []
    assert [(p.file, p.line, p.field) for p in problems] == [("people.csv", 1, "givenName")]
    assert "missing" in problems[0].message


def test_it_reports_a_ragged_row_at_its_line_and_reads_the_others():
    rows, problems = read(b"sourcedId,givenName\nu1,Ada\nu2,Grace,extra\nu3,Edsger\n")

    assert [line for line, _ in rows] == [2, 4]
    assert [(p.line, p.field) for p in problems] == [(3, None)]
    assert problems[0].message == "expected 2 columns as in the header, found 3"


def test_it_refuses_a_nul_at_its_line_and_field():
    rows, problems = read(b"sourcedId,givenName\nu1,Ada\nu2,Gr\x00ace\n")

    assert [line for line, _ in rows] == [2]
    assert [(p.file, p.line, p.field) for p in problems] == [("people.csv", 3, "givenName")]
    assert "NUL" in problems[0].message
