"""Reminding several people now from a disclosure cycle's tracking list: each through the reminder
log under the planner's own key, so neither a repeat nor the planner sends the same reminder twice."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import User
from reminders import services
from reminders.models import Reminder
from tests.factories import staff_at
from tests.pages import queries_for


def url(cycle) -> str:
    return reverse("reminders:disclosure_remind", args=[cycle.pk])


def claimed() -> set[tuple[int, str, str]]:
    return set(Reminder.objects.values_list("recipient_id", "kind", "period"))


def test_it_claims_the_due_reminder_for_each_person_once(world, cycle, today):
    people = [world.staff, world.clerk]

    result = services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=people)

    assert len(result.done) == 2
    assert claimed() == {
        (world.staff.pk, "disclosure_due_soon", "2026"),
        (world.clerk.pk, "disclosure_due_soon", "2026"),
    }

    again = services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=people)

    assert again.done == []
    assert {f.reason for f in again.failed} == {
        "Already reminded for this step: the reminder log never sends it twice."
    }
    assert Reminder.objects.count() == 2


def test_each_reminder_says_who_asked_for_it(world, cycle, today):
    services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=[world.staff])
    services.reminders_plan(today=today)

    asked = dict(Reminder.objects.values_list("recipient_id", "requested_by_id"))

    assert asked[world.staff.pk] == world.director.pk
    assert asked[world.clerk.pk] is None  # the planner's own


def test_the_planner_does_not_send_it_again(world, cycle, on):
    with on(datetime.date(2026, 11, 21)):
        services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=[world.staff])
    with on(datetime.date(2026, 11, 25)):  # within the policy's days before the due date
        services.reminders_plan(today=datetime.date(2026, 11, 25))

    assert Reminder.objects.filter(recipient=world.staff, kind="disclosure_due_soon").count() == 1


def test_a_late_person_gets_this_rounds_late_reminder(world, cycle, on):
    with on(datetime.date(2026, 12, 3)):
        services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=[world.staff])

    assert claimed() == {(world.staff.pk, "disclosure_late", "2026-late-0")}


def test_someone_out_of_reach_is_refused_and_listed_and_the_others_reminded(world, cycle, today):
    foreign = staff_at(world.foreign_school)

    result = services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=[foreign, world.staff])

    assert [p.pk for p in result.done] == [world.staff.pk]
    assert [(f.item.pk, f.reason) for f in result.failed] == [(foreign.pk, "You may not remind this person.")]
    assert claimed() == {(world.staff.pk, "disclosure_due_soon", "2026")}


def test_a_principal_may_not_remind_from_the_list(client, world, cycle, today):
    with pytest.raises(PermissionDenied):
        services.disclosure_remind_many(acting_user=world.principal, cycle=cycle, people=[world.staff])
    client.force_login(world.principal)

    assert client.post(url(cycle), {"pk": [world.staff.pk]}).status_code == 403
    assert not Reminder.objects.exists()


def test_the_tracking_list_offers_a_box_per_person_to_the_director(client, world, cycle, today):
    client.force_login(world.director)

    page = client.get(reverse("disclosures:cycle_detail", args=[cycle.pk])).content.decode()

    assert f'for="pick-{world.staff.pk}">Select {world.staff.full_name}</label>' in page
    assert url(cycle) in page


def test_the_preview_lists_who_was_reminded_already_then_the_confirm_reminds_the_others(client, world, cycle, today):
    services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=[world.clerk])
    client.force_login(world.director)
    chosen = {"pk": [world.staff.pk, world.clerk.pk]}

    preview = client.get(url(cycle), chosen).content.decode()
    assert "1 will change" in preview and "1 will be skipped" in preview and "Each item on its own" in preview

    page = client.post(url(cycle), chosen).content.decode()
    assert "1 item done." in page and "1 item failed" in page
    assert Reminder.objects.filter(recipient=world.staff).count() == 1


def test_all_matching_is_the_tracking_list_read_again(client, world, cycle, today):
    client.force_login(world.director)
    wanted = staff_at(world.school, first_name="Zebulon", last_name="Quist")

    client.post(url(cycle), {"all": "1", "q": "Quist"})

    assert {r for r, _k, _p in claimed()} == {wanted.pk}


def test_the_preview_costs_the_same_for_few_and_many_people(client, world, cycle, today, django_assert_num_queries):
    client.force_login(world.director)
    target = url(cycle) + "?all=1"
    small = queries_for(client, target)
    for _ in range(20):
        staff_at(world.other_school)

    with django_assert_num_queries(small):
        page = client.get(target).content.decode()
    assert f"{User.objects.filter(district=world.district).count()} will change" in page
