"""Ending several roles at once from the roles list: each through membership_end (its rule, its
history entry), all or nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Membership, Role
from tests.factories import staff_at
from tests.pages import queries_for

END = reverse("membership_bulk_end")


def clerk_role(school) -> Membership:
    return staff_at(school, Role.CLERK).memberships.get(role=Role.CLERK)


def current(*memberships: Membership) -> list[bool]:
    return [Membership.objects.get(pk=m.pk).ended_on is None for m in memberships]


def test_it_ends_each_role_and_records_who_ended_it(world, today):
    roles = [clerk_role(world.school), clerk_role(world.other_school)]

    result = services.membership_end_many(acting_user=world.director, memberships=roles)

    assert len(result.done) == 2 and not result.failed
    for role in roles:
        role.refresh_from_db()
        assert role.ended_on == today
        assert role.history.latest().history_change_reason == "Role ended"
        assert role.history.latest().history_user == world.director


def test_it_changes_nothing_when_one_role_is_refused(world, today):
    """All or nothing: a role of another district is refused, and so nobody's role ends."""
    mine = clerk_role(world.school)
    foreign = clerk_role(world.foreign_school)

    result = services.membership_end_many(acting_user=world.director, memberships=[mine, foreign])

    assert result.rolled_back
    assert [(f.item.pk, f.reason) for f in result.failed] == [(foreign.pk, "You may not end this role.")]
    assert [m.pk for m in result.held_back] == [mine.pk]
    assert current(mine, foreign) == [True, True]
    assert not mine.history.filter(history_change_reason="Role ended").exists()


def test_a_role_already_ended_is_refused_and_listed(world, today):
    mine, ended = clerk_role(world.school), clerk_role(world.school)
    services.membership_end(acting_user=world.director, membership=ended)

    result = services.membership_end_many(acting_user=world.director, memberships=[mine, ended])

    assert [(f.item.pk, f.reason) for f in result.failed] == [(ended.pk, "This role has already ended.")]
    assert current(mine) == [True]


def test_the_roles_list_offers_a_labelled_box_per_role(client, world, today):
    role = clerk_role(world.school)
    client.force_login(world.director)

    page = client.get(reverse("membership_list"), {"role": "clerk"}).content.decode()

    name = role.user.full_name
    assert (
        f'<label class="visually-hidden" for="pick-{role.pk}">Select {name}, Office clerk (North High)</label>' in page
    )
    assert '<input type="hidden" name="role" value="clerk">' in page


@pytest.mark.parametrize("persona", ["superintendent", "principal", "clerk", "staff"])
def test_only_the_director_ends_roles_from_the_list(client, world, today, persona):
    role = clerk_role(world.school)
    client.force_login(world.persona(persona))

    assert client.get(reverse("membership_list")).status_code == 403
    assert client.post(END, {"pk": [role.pk]}).status_code == 403
    assert current(role) == [True]


def test_the_preview_says_it_is_all_or_nothing_and_changes_nothing(client, world, today):
    role = clerk_role(world.school)
    client.force_login(world.director)

    page = client.get(END, {"pk": [role.pk]}).content.decode()

    assert "All or nothing" in page and "1 will change" in page
    assert current(role) == [True]


def test_all_matching_ends_only_the_filtered_roles_of_the_directors_district(client, world, today):
    clerks = [clerk_role(world.school), clerk_role(world.other_school)]
    foreign = clerk_role(world.foreign_school)
    client.force_login(world.director)

    page = client.post(END, {"all": "1", "role": "clerk"}).content.decode()

    assert "3 items done." in page  # the two above and the world's own clerk
    assert current(*clerks, world.clerk.memberships.get(role=Role.CLERK), foreign) == [False, False, False, True]
    assert Membership.objects.get(user=world.principal, role=Role.PRINCIPAL).ended_on is None


def test_a_refused_role_is_reported_and_nothing_ends(client, world, today):
    mine = clerk_role(world.school)
    ended = clerk_role(world.school)
    services.membership_end(acting_user=world.director, membership=ended)
    client.force_login(world.director)

    page = client.post(END, {"pk": [mine.pk, ended.pk]}).content.decode()

    assert "Nothing was changed" in page and "This role has already ended." in page
    assert current(mine) == [True]


def test_the_preview_costs_the_same_for_two_roles_as_for_thirty(client, world, today, django_assert_num_queries):
    client.force_login(world.director)
    for _ in range(2):
        clerk_role(world.school)
    url = END + "?all=1&role=clerk"
    small = queries_for(client, url)
    for _ in range(28):
        clerk_role(world.other_school)

    with django_assert_num_queries(small):
        page = client.get(url).content.decode()
    assert "31 will change" in page  # with the world's own clerk
