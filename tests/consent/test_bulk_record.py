"""A clerk records the same answer for several students of the "no answer" list: each through
consent_record (its rules, one appended record each), each student on their own."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from consent import services
from consent.models import ConsentRecord, Decision
from tests.factories import StudentFactory
from tests.pages import queries_for

RECEIVED = datetime.date(2026, 11, 20)


def record_url(school) -> str:
    return reverse("consent:no_answer_record", args=[school.pk])


def answers(social) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for student_id, decision in ConsentRecord.objects.filter(scope=social).values_list("student_id", "decision"):
        found.setdefault(student_id, []).append(decision)
    return found


def test_it_records_one_answer_for_each_student_naming_the_clerk(world, social, today):
    students = StudentFactory.create_batch(3, school=world.school)

    result = services.consent_record_many(
        acting_user=world.clerk, students=students, scope=social, decision=Decision.GRANTED, received_on=RECEIVED
    )

    assert len(result.done) == 3
    records = ConsentRecord.objects.filter(scope=social)
    assert sorted(records.values_list("student_id", flat=True)) == sorted(s.pk for s in students)
    assert set(records.values_list("recorded_by", "received_by", "received_on")) == {
        (world.clerk.pk, "paper", RECEIVED)
    }


def test_a_student_the_clerk_may_not_record_for_is_refused_and_the_others_recorded(world, social, today):
    mine = StudentFactory(school=world.school)
    elsewhere = StudentFactory(school=world.other_school)

    result = services.consent_record_many(
        acting_user=world.clerk,
        students=[mine, elsewhere],
        scope=social,
        decision=Decision.REFUSED,
        received_on=RECEIVED,
    )

    assert [s.pk for s in result.done] == [mine.pk]
    assert [(f.item.pk, f.reason) for f in result.failed] == [
        (elsewhere.pk, "You may not record consent for this student.")
    ]
    assert answers(social) == {mine.pk: ["refused"]}


def test_a_student_answered_since_the_list_was_read_is_skipped_and_a_bad_date_refuses_each(world, social, today):
    answered, waiting = StudentFactory.create_batch(2, school=world.school)
    services.consent_record(
        acting_user=world.clerk, student=answered, scope=social, decision=Decision.GRANTED, received_on=RECEIVED
    )

    result = services.consent_record_many(
        acting_user=world.clerk,
        students=[answered, waiting],
        scope=social,
        decision=Decision.REFUSED,
        received_on=RECEIVED,
    )
    assert [(f.item.pk, f.reason) for f in result.failed] == [(answered.pk, "Already has an answer for this consent.")]
    assert answers(social) == {answered.pk: ["granted"], waiting.pk: ["refused"]}

    later = StudentFactory(school=world.school)
    future = services.consent_record_many(
        acting_user=world.clerk,
        students=[later],
        scope=social,
        decision=Decision.GRANTED,
        received_on=today + datetime.timedelta(days=3),
    )
    assert [f.item.pk for f in future.failed] == [later.pk] and future.failed[0].reason


def test_the_no_answer_list_offers_a_box_per_student_and_keeps_the_scope(client, world, social, today):
    student = StudentFactory(school=world.school, first_name="Ada", last_name="Waitingford")
    client.force_login(world.clerk)

    page = client.get(reverse("consent:no_answer", args=[world.school.pk])).content.decode()

    assert f'<label class="visually-hidden" for="pick-{student.pk}">Select Ada Waitingford</label>' in page
    assert f'<input type="hidden" name="scope" value="{social.pk}">' in page


def test_the_preview_then_the_confirm_record_the_answer(client, world, social, today):
    students = StudentFactory.create_batch(2, school=world.school)
    client.force_login(world.clerk)
    chosen = {"pk": [s.pk for s in students], "scope": social.pk}

    preview = client.get(record_url(world.school), chosen).content.decode()
    assert "2 will change" in preview and "Each item on its own" in preview
    assert not ConsentRecord.objects.exists()

    page = client.post(
        record_url(world.school), {**chosen, "decision": "granted", "received_on": RECEIVED.isoformat()}
    ).content.decode()

    assert "2 items done." in page
    assert answers(social) == {s.pk: ["granted"] for s in students}


def test_all_matching_is_the_list_read_again_under_the_clerks_school(client, world, social, today):
    waiting = StudentFactory(school=world.school, last_name="Abbott")
    answered = StudentFactory(school=world.school, last_name="Abbott")
    other_school = StudentFactory(school=world.other_school, last_name="Abbott")
    not_matching = StudentFactory(school=world.school, last_name="Zimmer")
    client.force_login(world.clerk)
    chosen = {"all": "1", "scope": social.pk, "q": "Abbott"}
    assert "2 will change" in client.get(record_url(world.school), chosen).content.decode()

    services.consent_record(
        acting_user=world.clerk, student=answered, scope=social, decision=Decision.REFUSED, received_on=RECEIVED
    )
    client.post(record_url(world.school), {**chosen, "decision": "granted", "received_on": RECEIVED.isoformat()})

    assert answers(social) == {waiting.pk: ["granted"], answered.pk: ["refused"]}
    assert other_school.pk not in answers(social) and not_matching.pk not in answers(social)


@pytest.mark.parametrize("persona", ["staff", "other_principal"])
def test_who_may_not_record_at_the_school_cannot_use_it(client, world, social, today, persona):
    student = StudentFactory(school=world.school)
    client.force_login(world.persona(persona))

    response = client.post(
        record_url(world.school),
        {"pk": [student.pk], "scope": social.pk, "decision": "granted", "received_on": RECEIVED.isoformat()},
    )

    assert response.status_code in (403, 404)
    assert not ConsentRecord.objects.exists()


def test_the_preview_costs_the_same_for_two_students_as_for_forty(
    client, world, social, today, django_assert_num_queries
):
    StudentFactory.create_batch(2, school=world.school)
    client.force_login(world.clerk)
    url = f"{record_url(world.school)}?all=1&scope={social.pk}"
    small = queries_for(client, url)
    StudentFactory.create_batch(38, school=world.school)

    with django_assert_num_queries(small):
        page = client.get(url).content.decode()
    assert "40 will change" in page
