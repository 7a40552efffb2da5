"""Recording one answer: who may, for which scope, and which school year it counts for."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consent import rules
from consent.services import consent_record
from tests.factories import StudentFactory


@pytest.fixture
def pupil(world):
    return StudentFactory(school=world.school)


def record(acting_user, student, scope, **overrides):
    values = {"decision": "granted", "received_on": datetime.date(2026, 11, 2), **overrides}
    return consent_record(acting_user=acting_user, student=student, scope=scope, **values)


@pytest.mark.parametrize("persona", ["staff", "communications", "other_principal", "foreign_director"])
def test_it_refuses_an_answer_from_someone_who_does_not_record_for_the_school(world, pupil, social, today, persona):
    with pytest.raises(PermissionDenied):
        record(world.persona(persona), pupil, social)


def test_it_refuses_another_districts_scope(world, pupil, scopes, today):
    foreign_scope = world.other_district.consent_scopes.first()

    with pytest.raises(ValidationError):
        record(world.clerk, pupil, foreign_scope)


def test_it_refuses_a_retired_scope(world, pupil, social, today):
    social.active = False
    social.save()

    with pytest.raises(ValidationError):
        record(world.clerk, pupil, social)


@pytest.mark.parametrize(
    ("received_on", "school_year"), [(datetime.date(2026, 6, 30), 2025), (datetime.date(2026, 7, 1), 2026)]
)
def test_it_counts_an_answer_for_the_school_year_it_was_received_in(
    world, pupil, social, today, received_on, school_year
):
    world.district.school_year_start_month = 7
    world.district.save()

    assert record(world.clerk, pupil, social, received_on=received_on).school_year == school_year


def test_it_makes_a_withdrawal_count_at_once(world, pupil, social, today):
    record(world.clerk, pupil, social, received_on=datetime.date(2026, 9, 1))
    assert rules.posting_answer(pupil, social).allowed

    record(world.principal, pupil, social, decision="withdrawn", received_on=today)

    assert not rules.posting_answer(pupil, social).allowed
