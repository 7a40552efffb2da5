"""Which list governs posting on social media is the district's policy (458: the directory-information
opt-out list), and every path that answers "may I post?" follows it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from consent import rules, selectors, services
from consent.models import ConsentScope, ScopeKind
from tests.factories import StudentFactory


@pytest.fixture
def bloomington(world):
    """North follows 458: an opt-out district, no public-arena exception, and the directory list governs."""
    world.district.photo_model = "opt_out"
    world.district.public_arena_exception = False
    world.district.social_media_photo_lists = "directory_information"
    world.district.save()
    services.consent_scopes_set_up(acting_user=None, district=world.district)
    return {scope.kind: scope for scope in ConsentScope.objects.filter(district=world.district)}


def opt_out(world, student, scope):
    services.consent_record(
        acting_user=world.clerk,
        student=student,
        scope=scope,
        decision="refused",
        received_on=datetime.date(2026, 9, 2),
    )


def test_a_student_on_the_directory_information_opt_out_list_is_not_posted_on_social_media(
    client, world, bloomington, today
):
    pupil = StudentFactory(school=world.school, last_name="Optedout")
    opt_out(world, pupil, bloomington[ScopeKind.DIRECTORY_INFORMATION])
    social = bloomington[ScopeKind.SOCIAL_MEDIA]

    answer = rules.posting_answer(pupil, social)
    assert not answer.allowed
    assert answer.reason.startswith("Directory information (opt-out list): The family opted out")

    client.force_login(world.staff)
    listed = client.get(reverse("consent:school_do_not_post", args=[world.school.pk]), {"scope": social.pk})
    assert "Optedout" in listed.content.decode()
    checked = client.get(reverse("consent:check"), {"q": "Optedout"})
    assert "Directory information (opt-out list): The family opted out" in checked.content.decode()


def test_under_both_lists_an_opt_out_on_either_keeps_the_student_off(world, bloomington, today):
    world.district.social_media_photo_lists = "both"
    world.district.save()
    social = ConsentScope.objects.select_related("district").get(pk=bloomington[ScopeKind.SOCIAL_MEDIA].pk)
    on_directory, on_social, on_neither = StudentFactory.create_batch(3, school=world.school)
    opt_out(world, on_directory, bloomington[ScopeKind.DIRECTORY_INFORMATION])
    opt_out(world, on_social, social)

    listed = set(selectors.do_not_post_list(selectors.school_students(world.school), social))

    assert listed == {on_directory, on_social}
    assert rules.posting_answer(on_neither, social).allowed


def test_the_social_media_answer_alone_governs_unless_the_policy_names_another_list(world, scopes, today):
    pupil = StudentFactory(school=world.school)
    services.consent_record(
        acting_user=world.clerk,
        student=pupil,
        scope=scopes[ScopeKind.SOCIAL_MEDIA],
        decision="granted",
        received_on=datetime.date(2026, 9, 2),
    )

    assert rules.governing_scopes(scopes[ScopeKind.SOCIAL_MEDIA]) == [scopes[ScopeKind.SOCIAL_MEDIA]]
    assert rules.posting_answer(pupil, scopes[ScopeKind.SOCIAL_MEDIA]).allowed
    assert ScopeKind.DIRECTORY_INFORMATION not in scopes  # set up only where the policy names it


def test_a_list_page_asks_the_same_number_of_queries_whatever_the_governing_lists(
    client, world, bloomington, today, django_assert_max_num_queries
):
    StudentFactory.create_batch(5, school=world.school)
    client.force_login(world.staff)
    url = reverse("consent:school_do_not_post", args=[world.school.pk])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
