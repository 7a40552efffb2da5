"""Consent for next school year: a form received in June for the coming year counts from its first
day, and collecting consent again each year is the district's policy choice (off unless it asks)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consent import rules, services
from consent.models import ConsentRecord
from tests.factories import DistrictFactory, StudentFactory


@pytest.fixture
def renewing(world, scopes):
    """North collects written consent again each school year, which starts on July 1."""
    world.district.school_year_start_month = 7
    world.district.consent_renewed_each_school_year = True
    world.district.save()
    social = scopes["social_media"]
    social.renewed_each_school_year = True
    social.save()
    return social


def test_a_consent_received_in_june_for_next_year_keeps_the_student_off_the_list_from_july_first(
    client, world, renewing, on
):
    pupil = StudentFactory(school=world.school)
    client.force_login(world.clerk)
    with on(datetime.date(2026, 6, 20)):
        response = client.post(
            reverse("consent:student", args=[pupil.pk]),
            {
                "scope": renewing.pk,
                "decision": "granted",
                "received_on": "2026-06-20",
                "received_by": "paper",
                "school_year": "2026",
            },
        )
    assert response.status_code == 302
    assert ConsentRecord.objects.get(student=pupil).school_year == 2026

    with on(datetime.date(2026, 7, 1)):
        assert rules.posting_answer(pupil, renewing).allowed


def test_the_keyboard_entry_offers_this_school_year_and_the_next(client, world, renewing, on):
    pupil = StudentFactory(school=world.school)
    client.force_login(world.clerk)
    with on(datetime.date(2026, 6, 20)):
        page = client.get(reverse("consent:student", args=[pupil.pk])).content.decode()

    assert "2025–26" in page
    assert "2026–27" in page


def test_an_answer_counts_only_for_the_year_it_was_received_in_or_the_next(world, renewing, on):
    pupil = StudentFactory(school=world.school)
    with on(datetime.date(2026, 6, 20)), pytest.raises(ValidationError):
        services.consent_record(
            acting_user=world.clerk,
            student=pupil,
            scope=renewing,
            decision="granted",
            received_on=datetime.date(2026, 6, 20),
            school_year=2027,
        )


def test_collecting_consent_again_each_year_is_off_unless_the_policy_asks_for_it(db):
    district = DistrictFactory(photo_model="written_consent", public_arena_exception=True)

    services.consent_scopes_set_up(acting_user=None, district=district)

    assert district.consent_renewed_each_school_year is False
    assert not district.consent_scopes.filter(renewed_each_school_year=True).exists()


def test_a_district_whose_policy_renews_consent_sets_up_renewed_scopes(db):
    district = DistrictFactory(photo_model="written_consent", consent_renewed_each_school_year=True)

    services.consent_scopes_set_up(acting_user=None, district=district)

    assert district.consent_scopes.get(kind="social_media").renewed_each_school_year is True
    assert district.consent_scopes.get(kind="yearbook").renewed_each_school_year is False
