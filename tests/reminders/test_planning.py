"""The planner: what each policy owes on a given day, claimed once under the unique key."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from reminders import services
from reminders.models import Reminder
from tests.disclosures.filing import file_none

DUE = datetime.date(2026, 12, 1)


def planned(kind: str | None = None) -> set[tuple[str, int, str]]:
    rows = Reminder.objects.all() if kind is None else Reminder.objects.filter(kind=kind)
    return set(rows.values_list("kind", "recipient_id", "period"))


def test_it_owes_each_employee_who_has_not_filed_a_due_soon_reminder(world, cycle, today):
    file_none(world.staff, cycle)
    assert services.reminders_plan(today=today) == 6
    recipients = {recipient for _, recipient, _ in planned("disclosure_due_soon")}
    assert world.staff.pk not in recipients
    assert world.principal.pk in recipients and world.foreign_director.pk not in recipients


def test_it_plans_each_reminder_once_however_often_it_runs(world, cycle, today):
    services.reminders_plan(today=today)
    first = planned()
    assert services.reminders_plan(today=today) == 0
    assert services.reminders_plan(today=today + datetime.timedelta(days=1)) == 0  # same school year: no repeat
    assert planned() == first


def test_the_database_refuses_a_second_claim_of_the_same_reminder(world, cycle, today):
    services.reminders_plan(today=today)
    row = Reminder.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            district=row.district, kind=row.kind, object_key=row.object_key, recipient=row.recipient, period=row.period
        )


def test_it_waits_for_the_policys_number_of_days_before_the_due_date(world, cycle, on):
    world.district.reminder_days_before_due = 5
    world.district.save()
    with on(datetime.date(2026, 11, 25)):
        assert services.reminders_plan(today=datetime.date(2026, 11, 25)) == 0
    with on(datetime.date(2026, 11, 26)):
        assert services.reminders_plan(today=datetime.date(2026, 11, 26)) == 7


def test_it_reminds_on_the_due_date_itself(world, cycle, on):
    with on(DUE):
        services.reminders_plan(today=DUE)
    assert len(planned("disclosure_due_today")) == 7
    assert planned("disclosure_due_soon") == set()


@pytest.mark.parametrize(
    ("day", "rounds"),
    [(DUE, set()), (DUE + datetime.timedelta(days=1), {"2026-late-0"}),
     (DUE + datetime.timedelta(days=7), {"2026-late-0"}), (DUE + datetime.timedelta(days=8), {"2026-late-1"})],
)  # fmt: skip
def test_it_repeats_late_reminders_at_the_policys_interval(world, cycle, on, day, rounds):
    with on(day):
        services.reminders_plan(today=day)
    assert {period for _, _, period in planned("disclosure_late")} == rounds


def test_a_new_hire_is_late_only_after_their_own_grace_period(world, cycle, on):
    world.staff.started_on = datetime.date(2026, 11, 20)  # due December 20 (30 days' grace)
    world.staff.save()
    day = DUE + datetime.timedelta(days=3)
    with on(day):
        services.reminders_plan(today=day)
    late = {recipient for _, recipient, _ in planned("disclosure_late")}
    assert world.principal.pk in late and world.staff.pk not in late
    two_weeks_before = datetime.date(2026, 12, 6)
    with on(two_weeks_before):
        services.reminders_plan(today=two_weeks_before)
    assert world.staff.pk in {recipient for _, recipient, _ in planned("disclosure_due_soon")}


def test_nothing_is_owed_where_the_policy_asks_for_no_disclosure(world, cycle, today):
    world.district.disclosure_required = False
    world.district.save()
    assert services.reminders_plan(today=today) == 0


def test_the_dry_run_lists_what_is_owed_and_writes_nothing(world, cycle, today, capsys):
    call_command("send_reminders", "--dry-run")
    output = capsys.readouterr().out
    assert "disclosure_due_soon" in output and "7 reminders owed on 2026-11-21" in output
    assert Reminder.objects.count() == 0


@pytest.mark.parametrize(("option", "value"), [("--date", "21/11/2026"), ("--district", "nowhere")])
def test_the_command_names_a_bad_option(world, option, value):
    with pytest.raises(CommandError, match=option):
        call_command("send_reminders", option, value)


def test_tomorrows_count_leaves_out_what_was_already_sent(world, cycle, today):
    assert services.new_on(today, world.district)["disclosure_due_soon"] == 7
    services.reminders_plan(today=today)
    assert services.new_on(today + datetime.timedelta(days=1), world.district)["disclosure_due_soon"] == 0
