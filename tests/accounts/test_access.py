"""Who sees which people: the lists and look-ups behind the directory pages, for each role."""

from __future__ import annotations

from django.urls import reverse

from accounts import access

# Which role gets which directory page (200, 403 or 404) is the permission matrix's
# (tests/security/test_permission_matrix.py); these test what each list holds.


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
