"""Who sees what: every directory page, for every role, in two districts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import access

ALLOWED, FORBIDDEN, NOT_FOUND, SIGN_IN = 200, 403, 404, 302

# page -> expected outcome per persona. Objects: "school" is the persona's school (North High),
# "other_school" is another school of the same district, "foreign" is in South District.
MATRIX = {
    "school_list": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=ALLOWED,
        principal=ALLOWED,
        clerk=ALLOWED,
        staff=ALLOWED,
        foreign_director=ALLOWED,
        anonymous=SIGN_IN,
    ),
    "staff_list": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=ALLOWED,
        principal=ALLOWED,
        clerk=FORBIDDEN,
        staff=FORBIDDEN,
        foreign_director=ALLOWED,
        anonymous=SIGN_IN,
    ),
    "student_list": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=FORBIDDEN,
        principal=ALLOWED,
        clerk=ALLOWED,
        staff=FORBIDDEN,
        foreign_director=ALLOWED,
        anonymous=SIGN_IN,
    ),
    "district": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=ALLOWED,
        principal=ALLOWED,
        clerk=ALLOWED,
        staff=ALLOWED,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "district_edit": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=FORBIDDEN,
        principal=FORBIDDEN,
        clerk=FORBIDDEN,
        staff=FORBIDDEN,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "roster": dict(
        director=ALLOWED,
        superintendent=FORBIDDEN,
        communications=FORBIDDEN,
        principal=FORBIDDEN,
        clerk=FORBIDDEN,
        staff=FORBIDDEN,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "school": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=ALLOWED,
        principal=ALLOWED,
        clerk=ALLOWED,
        staff=ALLOWED,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "other_school": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=ALLOWED,
        principal=NOT_FOUND,
        clerk=NOT_FOUND,
        staff=NOT_FOUND,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "student": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=NOT_FOUND,
        principal=ALLOWED,
        clerk=ALLOWED,
        staff=NOT_FOUND,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "other_school_student": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=NOT_FOUND,
        principal=NOT_FOUND,
        clerk=NOT_FOUND,
        staff=NOT_FOUND,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "foreign_student": dict(
        director=NOT_FOUND,
        superintendent=NOT_FOUND,
        communications=NOT_FOUND,
        principal=NOT_FOUND,
        clerk=NOT_FOUND,
        staff=NOT_FOUND,
        foreign_director=ALLOWED,
        anonymous=SIGN_IN,
    ),
    "colleague": dict(
        director=ALLOWED,
        superintendent=ALLOWED,
        communications=ALLOWED,
        principal=ALLOWED,
        clerk=NOT_FOUND,
        staff=NOT_FOUND,
        foreign_director=NOT_FOUND,
        anonymous=SIGN_IN,
    ),
    "foreign_colleague": dict(
        director=NOT_FOUND,
        superintendent=NOT_FOUND,
        communications=NOT_FOUND,
        principal=NOT_FOUND,
        clerk=NOT_FOUND,
        staff=NOT_FOUND,
        foreign_director=ALLOWED,
        anonymous=SIGN_IN,
    ),
}


def url_for(page: str, world, students) -> str:
    return {
        "school_list": reverse("school_list"),
        "staff_list": reverse("staff_list"),
        "student_list": reverse("student_list"),
        "district": reverse("district_detail", args=[world.district.slug]),
        "district_edit": reverse("district_edit", args=[world.district.slug]),
        "roster": reverse("roster_import_list", args=[world.district.slug]),
        "school": reverse("school_detail", args=[world.school.pk]),
        "other_school": reverse("school_detail", args=[world.other_school.pk]),
        "student": reverse("student_detail", args=[students["school"][0].pk]),
        "other_school_student": reverse("student_detail", args=[students["other_school"][0].pk]),
        "foreign_student": reverse("student_detail", args=[students["foreign_school"][0].pk]),
        "colleague": reverse("staff_detail", args=[world.communications.pk]),
        "foreign_colleague": reverse("staff_detail", args=[world.foreign_principal.pk]),
    }[page]


CASES = [(page, persona, outcome) for page, row in MATRIX.items() for persona, outcome in row.items()]


@pytest.mark.parametrize(("page", "persona", "expected"), CASES, ids=[f"{p}-{r}" for p, r, _ in CASES])
def test_it_gives_each_role_exactly_the_access_the_policy_allows(client, world, students, page, persona, expected):
    if persona != "anonymous":
        client.force_login(world.persona(persona))

    response = client.get(url_for(page, world, students))

    assert response.status_code == expected
    if expected == SIGN_IN:
        assert response["Location"].startswith(reverse("account_login"))


def test_it_never_lists_another_schools_students_to_a_principal(client, world, students):
    client.force_login(world.principal)

    response = client.get(reverse("student_list"))

    shown = {s.pk for s in response.context["page"]}
    assert shown == {s.pk for s in students["school"]}


def test_it_never_lists_another_districts_staff_to_a_director(client, world):
    client.force_login(world.director)

    response = client.get(reverse("staff_list"), {"is_active": "true"})

    districts = {member.district_id for member in response.context["page"]}
    assert districts == {world.district.pk}


def test_a_principal_sees_the_staff_of_their_school_only(world):
    visible = set(access.visible_staff(world.principal))

    assert world.staff in visible
    assert world.other_principal not in visible
    assert world.foreign_principal not in visible


def test_a_user_who_left_sees_nothing(world, students):
    world.principal.is_active = False
    world.principal.save()

    assert not access.visible_students(world.principal).exists()
    assert not access.visible_schools(world.principal).exists()


def test_an_ended_role_gives_no_access(world, students):
    world.principal.memberships.update(ended_on="2026-01-01")

    assert not access.visible_students(world.principal).exists()
