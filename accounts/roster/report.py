"""What an import reports: its counts, and every problem at its file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.csv_reader import MAX_MESSAGE, MAX_PROBLEMS, Problem


@dataclass
class RosterReport:
    dry_run: bool = False
    version: str = ""
    rows_read: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    deactivated_examples: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    # What the product does not use but the export got wrong (a date it never reads): listed, never refused.
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    seconds: float = 0.0
    roster_version: int | None = None  # the district's roster version the import started from
    analyzed: list[str] = field(default_factory=list)  # tables whose statistics it refreshed

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

    def add_warning(self, file: str, line: int | None, field_name: str | None, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(Problem(file, line, field_name, message[:MAX_MESSAGE]))

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
            "warnings": [w.as_dict() for w in self.warnings],
            "warning_count": self.warning_count,
            "seconds": round(self.seconds, 2),
            "roster_version": self.roster_version,
            "analyzed": self.analyzed,
        }


class RosterRejected(Exception):
    """The bundle has problems; the report lists them and nothing was written."""

    def __init__(self, report: RosterReport) -> None:
        super().__init__(f"{report.problem_count} problem(s) in the roster bundle")
        self.report = report
