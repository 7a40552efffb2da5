"""Consent records cannot be changed in the database itself (the trigger from migration 0002)."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction

from consent.models import ConsentRecord
from tests.factories import ConsentRecordFactory, StudentFactory


@pytest.fixture
def record(world, social) -> ConsentRecord:
    return ConsentRecordFactory(student=StudentFactory(school=world.school), scope=social, decision="granted")


def test_it_refuses_to_change_a_saved_answer(record):
    record.decision = "refused"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        record.save()

    record.refresh_from_db()
    assert record.decision == "granted"


def test_it_refuses_to_change_answers_in_bulk(record):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentRecord.objects.filter(pk=record.pk).update(decision="withdrawn")

    assert ConsentRecord.objects.get(pk=record.pk).decision == "granted"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("received_on", datetime.date(2026, 9, 4)),
        ("guardian_name", "Someone Else"),
        ("note", "changed afterwards"),
    ],
)
def test_it_refuses_to_change_the_other_facts_of_an_answer(record, field, value):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentRecord.objects.filter(pk=record.pk).update(**{field: value})


def test_it_still_removes_a_students_answers_with_the_student(record):
    student = record.student

    student.delete()

    assert not ConsentRecord.objects.filter(pk=record.pk).exists()
