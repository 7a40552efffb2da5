"""Students' birth dates from the roster's demographics.csv (or the API's demographics, where the
server shares them): set and kept up to date, never taken from a staff member's row, never cleared
by a file that leaves a student out, refused with file, line and field when not a date; and nothing
else of that file (sex, race, ethnicity) is read."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import RosterImport, Student
from accounts.roster import RosterRejected, import_roster
from tests.accounts.bundles import standard_files, write_bundle

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 9, 1)


def demographic(sid: str, born: str, status: str = "active") -> dict:
    return {
        "sourcedId": sid,
        "status": status,
        "birthDate": born,
        "sex": "female",
        "hispanicOrLatinoEthnicity": "false",
    }


def with_demographics(*rows: dict) -> dict[str, list[dict]]:
    return {**standard_files(), "demographics.csv": list(rows)}


def born() -> dict[str, datetime.date | None]:
    return dict(Student.objects.values_list("roster_sourced_id", "birth_date"))


@pytest.fixture
def district(world):
    return world.district


def test_it_sets_students_birth_dates_and_reads_no_staff_row(district, tmp_path):
    files = with_demographics(
        demographic("s1", "2011-04-02"),
        demographic("s2", "2010-12-31T00:00:00Z"),  # a date-time at midnight, as some exports write it
        demographic("t1", "1980-01-01"),  # a teacher: no staff birth date is kept anywhere
    )

    report = import_roster(district, write_bundle(tmp_path, files), today=TODAY)

    assert born() == {
        "s1": datetime.date(2011, 4, 2),
        "s2": datetime.date(2010, 12, 31),
        "s3": None,
        "s4": None,
    }
    assert report.counts["birth dates"] == {"changed": 2}
    assert ("birth dates", [("changed", 2)]) in RosterImport(report=report.as_dict()).count_rows()


def test_a_file_that_leaves_a_student_out_keeps_the_date_known(district, tmp_path):
    import_roster(
        district, write_bundle(tmp_path / "first", with_demographics(demographic("s1", "2011-04-02"))), today=TODAY
    )
    Student.objects.filter(roster_sourced_id="s2").update(birth_date=datetime.date(2010, 6, 1))  # typed by a clerk

    report = import_roster(
        district,
        write_bundle(tmp_path / "second", with_demographics(demographic("s1", "2011-04-03"), demographic("s2", ""))),
        today=TODAY,
    )
    again = import_roster(district, write_bundle(tmp_path / "none", standard_files()), today=TODAY)

    assert born()["s1"] == datetime.date(2011, 4, 3)
    assert born()["s2"] == datetime.date(2010, 6, 1)
    assert report.counts["birth dates"] == {"changed": 1}
    assert "birth dates" not in again.counts


def test_the_same_file_again_changes_nothing(district, tmp_path):
    files = with_demographics(demographic("s1", "2011-04-02"))
    import_roster(district, write_bundle(tmp_path / "a", files), today=TODAY)

    again = import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY)

    assert "birth dates" not in again.counts


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("04/02/2011", "'04/02/2011' is not a date (expected YYYY-MM-DD)"),
        ("2011-02-30", "'2011-02-30' is not a date (expected YYYY-MM-DD)"),
        ("2027-01-01", "'2027-01-01' cannot be a student's birth date"),
    ],
)
def test_a_birth_date_that_is_not_one_is_refused_at_its_line_and_nothing_changes(district, tmp_path, value, says):
    files = with_demographics(demographic("s1", "2011-04-02"), demographic("s2", value))

    with pytest.raises(RosterRejected) as rejected:
        import_roster(district, write_bundle(tmp_path, files), today=TODAY)

    problems = [(p.file, p.line, p.field, p.message) for p in rejected.value.report.problems]
    assert problems == [("demographics.csv", 3, "birthDate", says)]
    assert not Student.objects.exists()


def test_a_student_listed_twice_is_refused(district, tmp_path):
    files = with_demographics(demographic("s1", "2011-04-02"), demographic("s1", "2011-04-03"))

    with pytest.raises(RosterRejected) as rejected:
        import_roster(district, write_bundle(tmp_path, files), today=TODAY)

    assert [(p.file, p.line, p.field) for p in rejected.value.report.problems] == [("demographics.csv", 3, "sourcedId")]
