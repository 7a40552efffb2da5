"""Purging students who left: what goes, what stays, and the command that runs it."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ProgramMembership, Student
from consent.models import ConsentRecord, ListKind, ListViewLog, StudentPurge
from consent.services import PurgeReport, list_view_record, students_purge_departed
from tests.factories import ConsentRecordFactory, ProgramFactory, StudentFactory

# With 6 months kept and today 2026-11-21, students who left before 2026-05-21 go. The district's
# setting differs from the default (12), so a purge that ignores it keeps or removes the wrong ones.
RETENTION_MONTHS = 6
LEFT_BEFORE = datetime.date(2026, 5, 21)


@dataclass
class Students:
    gone: Student
    gone_too: Student
    left_recently: Student
    active: Student
    no_leaving_date: Student
    other_district: Student


def member(student: Student) -> ProgramMembership:
    return ProgramMembership.objects.create(program=ProgramFactory(school=student.school), student=student)


def log_view(world, student: Student) -> ListViewLog:
    list_view_record(
        user=world.clerk, district=student.district, kind=ListKind.STUDENT, subject=str(student), student=student
    )
    return ListViewLog.objects.get(student=student)


@pytest.fixture
def pupils(world, social, today) -> Students:
    world.district.departed_student_retention_months = RETENTION_MONTHS
    world.district.save()
    left_long_ago = LEFT_BEFORE - datetime.timedelta(days=1)
    pupils = Students(
        gone=StudentFactory(school=world.school, active=False, left_on=left_long_ago),
        gone_too=StudentFactory(school=world.other_school, active=False, left_on=datetime.date(2019, 6, 14)),
        # Left on the last day still kept: not yet older than the retention period.
        left_recently=StudentFactory(school=world.school, active=False, left_on=LEFT_BEFORE),
        # Came back after leaving: an old leaving date does not make an active student go.
        active=StudentFactory(school=world.school, active=True, left_on=datetime.date(2019, 6, 14)),
        no_leaving_date=StudentFactory(school=world.school, active=False, left_on=None),
        other_district=StudentFactory(school=world.foreign_school, active=False, left_on=datetime.date(2019, 6, 14)),
    )
    for student in (pupils.gone, pupils.left_recently, pupils.active, pupils.no_leaving_date):
        ConsentRecordFactory(student=student, scope=social)
        member(student)
        log_view(world, student)
    ConsentRecordFactory(student=pupils.gone, scope=social, decision="withdrawn", received_on=today)
    ConsentRecordFactory(student=pupils.gone_too, scope=social, received_on=datetime.date(2018, 9, 4))
    log_view(world, pupils.gone_too)
    ConsentRecordFactory(student=pupils.other_district)
    member(pupils.other_district)
    log_view(world, pupils.other_district)
    return pupils


def kept(pupils: Students) -> list[Student]:
    return [pupils.left_recently, pupils.active, pupils.no_leaving_date, pupils.other_district]


def test_it_removes_students_who_left_before_the_retention_period_with_everything_that_names_them(world, pupils):
    gone = [pupils.gone.pk, pupils.gone_too.pk]
    gone_views = list(ListViewLog.objects.filter(student_id__in=gone).values_list("pk", flat=True))
    school_wide_view = ListViewLog.objects.create(
        user=world.clerk, district=world.district, kind=ListKind.SCHOOL, subject="North High"
    )

    students_purge_departed(district=world.district)

    assert not Student.objects.filter(pk__in=gone).exists()
    assert not ConsentRecord.objects.filter(student_id__in=gone).exists()
    assert not ProgramMembership.objects.filter(student_id__in=gone).exists()
    # Removed, not just detached from the student (SET_NULL would keep the trace).
    assert len(gone_views) == 2
    assert not ListViewLog.objects.filter(pk__in=gone_views).exists()
    assert ListViewLog.objects.filter(pk=school_wide_view.pk).exists()


def test_it_keeps_recent_leavers_active_students_undated_leavers_and_other_districts(world, pupils):
    students_purge_departed(district=world.district)

    for student in kept(pupils):
        assert Student.objects.filter(pk=student.pk).exists(), student
        assert ConsentRecord.objects.filter(student=student).count() == 1, student
        assert ProgramMembership.objects.filter(student=student).count() == 1, student
        assert ListViewLog.objects.filter(student=student).count() == 1, student


def test_it_reports_what_it_removed(world, pupils):
    report = students_purge_departed(district=world.district)

    assert report == PurgeReport(
        district=world.district,
        left_before=LEFT_BEFORE,
        students=2,
        consent_records=3,
        program_memberships=1,
        without_leaving_date=1,
        dry_run=False,
    )
    assert str(report).startswith("North District: removed 2 student(s) who left before 2026-05-21")
    assert "1 inactive student(s) have no leaving date" in str(report)


def test_it_writes_a_purge_row_with_counts_only(world, pupils):
    students_purge_departed(district=world.district)

    purge = StudentPurge.objects.get()
    assert (
        purge.district,
        purge.left_before,
        purge.students_removed,
        purge.consent_records_removed,
        purge.program_memberships_removed,
    ) == (world.district, LEFT_BEFORE, 2, 3, 1)


def test_it_removes_nothing_on_a_dry_run_but_counts_the_same(world, pupils):
    before = (Student.objects.count(), ConsentRecord.objects.count(), ProgramMembership.objects.count())
    logs_before = ListViewLog.objects.count()

    report = students_purge_departed(district=world.district, dry_run=True)

    assert (report.students, report.consent_records, report.program_memberships) == (2, 3, 1)
    assert "would remove 2 student(s)" in str(report)
    assert (Student.objects.count(), ConsentRecord.objects.count(), ProgramMembership.objects.count()) == before
    assert ListViewLog.objects.count() == logs_before
    assert not StudentPurge.objects.exists()


def test_it_purges_only_the_districts_named_on_the_command_line(world, pupils):
    out = io.StringIO()

    call_command("purge_departed_students", "--district", "north", stdout=out)

    output = out.getvalue()
    assert "North District: removed 2 student(s) who left before 2026-05-21" in output
    assert "with 3 consent record(s) and 1 program membership(s)" in output
    assert output.splitlines()[-1] == (
        "Removed 2 student(s), 3 consent record(s) and 1 program membership(s) in 1 district(s)."
    )
    assert "South District" not in output
    assert Student.objects.filter(pk=pupils.other_district.pk).exists()
    assert not Student.objects.filter(pk=pupils.gone.pk).exists()


def test_it_purges_every_district_when_none_is_named(world, pupils):
    out = io.StringIO()

    call_command("purge_departed_students", stdout=out)

    output = out.getvalue()
    assert "North District: removed 2 student(s)" in output
    # South keeps the default 12 months, counted from today (2026-11-21).
    assert "South District: removed 1 student(s) who left before 2025-11-21" in output
    assert output.splitlines()[-1] == (
        "Removed 3 student(s), 4 consent record(s) and 2 program membership(s) in 2 district(s)."
    )
    assert not Student.objects.filter(pk=pupils.other_district.pk).exists()
    assert StudentPurge.objects.count() == 2


def test_it_only_says_what_it_would_remove_on_a_dry_run_from_the_command_line(world, pupils):
    out = io.StringIO()
    students_before = Student.objects.count()

    call_command("purge_departed_students", "--district", "north", "--dry-run", stdout=out)

    output = out.getvalue()
    assert "North District: would remove 2 student(s)" in output
    assert output.splitlines()[-1].startswith("Would remove 2 student(s)")
    assert Student.objects.count() == students_before
    assert not StudentPurge.objects.exists()


def test_it_names_an_unknown_district_and_purges_nothing(world, pupils):
    students_before = Student.objects.count()

    with pytest.raises(CommandError, match="'nowhere'"):
        call_command("purge_departed_students", "--district", "north", "--district", "nowhere", stdout=io.StringIO())

    assert Student.objects.count() == students_before
    assert not StudentPurge.objects.exists()
