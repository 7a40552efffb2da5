"""People who leave leave no holes (issue 24, item 8): a supervisor who leaves keeps nobody's
disclosure, the roster names supervisors where the export gives them, the director sees who has
none where disclosures go to supervisors, and an official account whose staff owner or primary
administrator left is flagged, whatever the count of its backups."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts import selectors, services
from accounts.models import DisclosureRecipient, User
from accounts.roster import import_roster
from compliance import obligations
from registry import selectors as registry_selectors
from tests.accounts.bundles import standard_files, write_bundle
from tests.factories import AdministratorFactory, DistrictFactory, SocialAccountFactory, staff_at

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 9, 1)
SUPERVISOR = "metadata.supervisorSourcedId"


@pytest.fixture
def supervised_world(world):
    """The persona world under a policy that sends disclosures to supervisors (as 547 may)."""
    world.district.disclosure_recipient = DisclosureRecipient.SUPERVISOR
    world.district.save()
    return world


def unsupervised(world) -> set[str]:
    return set(selectors.without_current_supervisor(world.district).values_list("email", flat=True))


# --- Supervisors -----------------------------------------------------------------------------------


def test_it_leaves_the_supervisees_of_someone_who_leaves_without_a_supervisor(supervised_world):
    world = supervised_world
    services.staff_employment_update(
        acting_user=world.director, user=world.staff, started_on=None, supervisor=world.principal
    )

    services.staff_deactivate(acting_user=world.director, user=world.principal)

    world.staff.refresh_from_db()
    assert world.staff.supervisor is None
    change = world.staff.history.latest()
    assert (change.history_change_reason, change.history_user) == ("Supervisor left the district", world.director)
    assert world.staff.email in unsupervised(world)


def test_it_counts_a_departed_supervisor_as_none_whichever_way_they_left(supervised_world):
    world = supervised_world
    User.objects.filter(pk=world.staff.pk).update(supervisor=world.principal)
    User.objects.filter(pk=world.principal.pk).update(is_active=False)  # as a bulk path would leave it

    assert world.staff.email in unsupervised(world)


def test_it_lists_staff_without_a_supervisor_only_where_disclosures_go_to_supervisors(world):
    assert world.district.disclosure_recipient != DisclosureRecipient.SUPERVISOR
    assert unsupervised(world) == set()
    assert [i.key for i in obligations.people_who_left(world.district)] == []


def test_it_does_not_ask_a_supervisor_for_the_superintendent(supervised_world):
    listed = unsupervised(supervised_world)

    assert supervised_world.superintendent.email not in listed
    assert supervised_world.staff.email in listed


def test_it_puts_staff_without_a_supervisor_on_the_directors_list_and_the_staff_filter(supervised_world, client):
    world = supervised_world
    for person in User.objects.filter(district=world.district).exclude(pk=world.staff.pk):
        services.staff_employment_update(
            acting_user=world.director, user=person, started_on=None, supervisor=world.staff
        )

    items = {i.key: i for i in obligations.people_who_left(world.district)}
    assert items["staff_without_supervisor"].count == 1
    assert items["staff_without_supervisor"].url == reverse("staff_list") + "?supervisor=missing"

    client.force_login(world.director)
    page = client.get(reverse("staff_list"), {"supervisor": "missing"})
    assert list(page.context["page"]) == [world.staff]
    assert b'id="id_supervisor"' in page.content


def test_it_offers_the_supervisor_filter_only_where_disclosures_go_to_supervisors(world, client):
    client.force_login(world.director)

    assert b'id="id_supervisor"' not in client.get(reverse("staff_list")).content


# --- Supervisors from the roster -------------------------------------------------------------------


@pytest.fixture
def north(db):
    return DistrictFactory(slug="north", name="North District", disclosure_recipient=DisclosureRecipient.SUPERVISOR)


def with_supervisors(**supervisors: str) -> dict[str, list[dict]]:
    files = standard_files()
    for row in files["users.csv"]:
        if row["sourcedId"] in supervisors:
            row[SUPERVISOR] = supervisors[row["sourcedId"]]
    return files


def supervisor_of(sid: str) -> str | None:
    person = User.objects.select_related("supervisor").get(roster_sourced_id=sid)
    return person.supervisor.roster_sourced_id if person.supervisor else None


def test_it_reads_supervisors_from_the_roster_where_the_export_gives_them(north, tmp_path):
    report = import_roster(north, write_bundle(tmp_path, with_supervisors(t1="a1", t2="a1")), today=TODAY)

    assert (supervisor_of("t1"), supervisor_of("t2"), supervisor_of("a1")) == ("a1", "a1", None)
    assert report.counts["supervisors"]["changed"] == 2
    assert User.objects.get(roster_sourced_id="t1").history.latest().history_change_reason == "Roster import"


def test_it_changes_a_supervisor_when_the_roster_does(north, tmp_path):
    import_roster(north, write_bundle(tmp_path / "one", with_supervisors(t1="a1")), today=TODAY)
    import_roster(north, write_bundle(tmp_path / "two", with_supervisors(t1="t2")), today=TODAY)

    assert supervisor_of("t1") == "t2"


def test_it_keeps_supervisors_set_by_hand_where_the_roster_gives_none(north, tmp_path):
    import_roster(north, write_bundle(tmp_path / "one"), today=TODAY)
    director = staff_at(north.schools.first(), "director")
    ada, alan = User.objects.get(roster_sourced_id="t1"), User.objects.get(roster_sourced_id="a1")
    services.staff_employment_update(acting_user=director, user=ada, started_on=None, supervisor=alan)

    report = import_roster(north, write_bundle(tmp_path / "two"), today=TODAY)

    assert supervisor_of("t1") == "a1"
    assert "supervisors" not in report.counts


def test_it_warns_of_a_supervisor_the_roster_does_not_hold_and_sets_none(north, tmp_path):
    report = import_roster(north, write_bundle(tmp_path, with_supervisors(t1="nobody", t2="t2")), today=TODAY)

    assert (supervisor_of("t1"), supervisor_of("t2")) == (None, None)
    warnings = {(w["field"], w["message"]) for w in report.as_dict()["warnings"]}
    assert (SUPERVISOR, "'nobody' is not an active staff member in users.csv; no supervisor was set") in warnings
    assert (SUPERVISOR, "someone cannot be their own supervisor; no supervisor was set") in warnings


def test_it_releases_the_supervisees_of_a_supervisor_the_roster_no_longer_lists(north, tmp_path):
    import_roster(north, write_bundle(tmp_path / "one", with_supervisors(t1="a1", t2="a1")), today=TODAY)
    files = with_supervisors()
    files["users.csv"] = [u for u in files["users.csv"] if u["sourcedId"] != "a1"]

    report = import_roster(north, write_bundle(tmp_path / "two", files), today=TODAY, confirm_departures=True)

    assert (supervisor_of("t1"), supervisor_of("t2")) == (None, None)
    assert report.counts["supervisors"]["ended"] == 2
    assert {"ada.lovelace@north.example.org", "grace.hopper@north.example.org"} <= set(
        selectors.without_current_supervisor(north).values_list("email", flat=True)
    )


# --- Official accounts of people who left ----------------------------------------------------------


def test_it_flags_a_live_account_in_the_official_capacity_of_someone_who_left(world, client):
    account = SocialAccountFactory(
        school=world.school, owner_kind="staff", owner_staff=world.staff, display_name="Coach Lee"
    )
    AdministratorFactory(account=account, user=world.principal, role="primary")
    assert list(registry_selectors.left_by_their_people(world.district)) == []

    services.staff_deactivate(acting_user=world.director, user=world.staff)

    assert list(registry_selectors.left_by_their_people(world.district)) == [account]
    items = {i.key: i for i in obligations.people_who_left(world.district)}
    assert items["accounts_left_by_their_people"].count == 1
    client.force_login(world.director)
    assert (
        b"The staff member this account speaks for has left the district."
        in client.get(account.get_absolute_url()).content
    )
    listed = client.get(reverse("registry:account_list"), {"attention": "left_by_their_people"})
    assert b"Coach Lee" in listed.content


def test_it_flags_an_account_whose_primary_administrator_left_even_with_enough_backups(world, client):
    world.district.min_account_administrators = 1
    world.district.save()
    account = SocialAccountFactory(school=world.school, display_name="North Band")
    AdministratorFactory(account=account, user=world.staff, role="primary")
    AdministratorFactory(account=account, user=world.principal, role="backup")
    AdministratorFactory(account=account, user=world.clerk, role="backup")

    services.staff_deactivate(acting_user=world.director, user=world.staff)

    assert not registry_selectors.below_minimum(world.district.social_accounts.all()).exists()
    assert list(registry_selectors.left_by_their_people(world.district)) == [account]
    client.force_login(world.director)
    assert b"The primary administrator has left the district." in client.get(account.get_absolute_url()).content


def test_it_does_not_flag_a_retired_account_of_someone_who_left(world):
    account = SocialAccountFactory(school=world.school, owner_kind="staff", owner_staff=world.staff, status="retired")
    AdministratorFactory(account=account, user=world.staff, role="primary")

    services.staff_deactivate(acting_user=world.director, user=world.staff)

    assert list(registry_selectors.left_by_their_people(world.district)) == []


def test_it_puts_accounts_left_by_their_people_on_the_district_dashboard(world, client):
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff, role="primary")
    services.staff_deactivate(acting_user=world.director, user=world.staff)
    client.force_login(world.director)

    page = client.get(reverse("dashboards:district", args=[world.district.slug]))

    assert b"live official account&#x27;s owner or primary administrator has left" in page.content
