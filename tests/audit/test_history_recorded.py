"""Every write path records who, when and what: services called outside a request (as tasks and
commands call them), web requests, the Django admin, and the roster and consent imports."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.urls import reverse

from accounts import services as account_services
from accounts.history import membership_source, staff_history, staff_source
from accounts.models import Membership, Role, User
from accounts.services import roster_import_from_path
from authorizations import services as authorization_services
from authorizations.history import authorization_history
from consent import services as consent_services
from consent.history import scope_history
from consent.models import ConsentRecord
from core.history import history_page
from disclosures import services as disclosure_services
from disclosures.history import disclosure_history
from disclosures.models import DisclosedNetwork, Disclosure
from registry import services as registry_services
from registry.history import account_history
from registry.models import AccountAdministrator, SocialAccount
from tests.accounts.bundles import standard_files, user, write_bundle
from tests.audit.conftest import NOW, TODAY, add_network, new_tool, open_cycle, request_account, sign, social_scope
from tests.factories import ProgramFactory, StudentFactory, staff_at
from tools import services as tool_services
from tools.history import tool_history, tool_request_history
from tools.models import ToolRequest

LATER = NOW + datetime.timedelta(hours=2)


def latest(obj):
    return type(obj).history.filter(id=obj.pk).order_by("-history_id").first()


def lines(entry) -> list[str]:
    return [str(change) for change in entry.changes]


# --- Official accounts, administrators, reviews -----------------------------------------------


def test_it_records_who_requested_approved_and_designated_an_account(world, clock):
    account = request_account(world)
    clock.move_to(LATER)
    registry_services.account_approve(acting_user=world.director, account=account)

    created, approved = account.history.order_by("history_id")
    assert (created.history_type, created.history_user, created.history_date) == ("+", world.staff, NOW)
    assert (approved.history_type, approved.history_user, approved.history_date) == ("~", world.director, LATER)
    entries = account_history(account).entries
    assert entries[0].summary == "Approved"
    assert "Status: Awaiting approval → Approved, not yet active" in lines(entries[0])
    assert entries[1].summary == f"{world.staff.full_name} designated primary administrator"
    assert entries[1].who == world.staff.full_name


def test_it_records_an_administrator_added_and_ended_and_the_review(world, clock):
    account = request_account(world)
    account = registry_services.account_approve(acting_user=world.director, account=account)
    account = registry_services.account_activate(acting_user=world.staff, account=account)
    clock.move_to(LATER)
    added = registry_services.administrator_add(acting_user=world.director, account=account, user=world.principal)
    clock.shift(60)
    registry_services.administrator_end(acting_user=world.director, administrator=added)
    clock.shift(60)
    registry_services.account_review_record(
        acting_user=world.staff,
        account=account,
        outcome="recertified",
        administrators_confirmed=True,
        purpose_confirmed=True,
        follows_policy=True,
    )

    summaries = [(e.summary, e.who) for e in account_history(account).entries[:4]]
    # The review and the account's next review date are written in the same instant.
    assert sorted(summaries[:2]) == [
        ("Re-certified", world.staff.full_name),
        ("Reviewed: re-certified", world.staff.full_name),
    ]
    assert summaries[2:] == [
        (f"{world.principal.full_name}'s designation ended", world.director.full_name),
        (f"{world.principal.full_name} designated backup administrator", world.director.full_name),
    ]
    ended = account_history(account).entries[2]
    assert lines(ended) == ["Ended on: — → Nov. 21, 2026"]


def test_it_records_who_deleted_an_account_in_the_admin_with_its_administrators(client, world, superuser, clock):
    account = request_account(world)
    administrator = account.administrators.get()
    client.force_login(superuser)

    response = client.post(reverse("admin:registry_socialaccount_delete", args=[account.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not SocialAccount.objects.filter(pk=account.pk).exists()
    deleted = SocialAccount.history.filter(id=account.pk, history_type="-").get()
    assert (deleted.history_user, deleted.history_date) == (superuser, NOW)
    removed = AccountAdministrator.history.filter(id=administrator.pk, history_type="-").get()
    assert removed.history_user == superuser


def test_it_records_the_person_who_changed_the_policy_through_the_page(client, world, clock):
    client.force_login(world.director)
    form = client.get(reverse("district_edit", args=[world.district.slug])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["reminder_days_before_due"] = 21

    assert client.post(reverse("district_edit", args=[world.district.slug]), data).status_code == 302

    record = latest(world.district)
    assert (record.history_user, record.history_date, record.reminder_days_before_due) == (world.director, NOW, 21)


# --- Staff and their roles ----------------------------------------------------------------------


def test_it_records_roles_given_and_ended_outside_a_request(world, clock):
    role = account_services.membership_grant(
        acting_user=world.director, user=world.staff, role=Role.CLERK, school=world.school
    )
    clock.move_to(LATER)
    account_services.membership_end(acting_user=world.director, membership=role)

    given, ended = role.history.order_by("history_id")
    assert (given.history_type, given.history_user, given.history_change_reason) == ("+", world.director, "Role given")
    assert (ended.history_user, ended.history_date, ended.ended_on) == (world.director, LATER, TODAY)
    entry = staff_history(world.staff).entries[0]
    assert (entry.kind, entry.name, entry.school) == ("Role", f"Office clerk: {world.staff.full_name}", "North High")
    assert lines(entry) == ["Ended on: — → Nov. 21, 2026"]


def test_it_records_a_deactivation_with_every_role_it_ends(world, clock):
    leaver = staff_at(world.school, Role.PRINCIPAL)
    account_services.staff_deactivate(acting_user=world.director, user=leaver)

    record = latest(leaver)
    assert (record.history_user, record.history_change_reason, record.is_active) == (
        world.director,
        "Deactivated",
        False,
    )
    ended = Membership.history.filter(user_id=leaver.pk, history_change_reason="Ended on leaving")
    assert ended.count() == 2
    assert {r.history_user for r in ended} == {world.director}
    entry = staff_history(leaver).entries
    assert "Active: yes → no" in [line for e in entry for line in lines(e)]


def test_it_records_a_reactivation_and_the_staff_role_it_gives_back(world, clock):
    account_services.staff_deactivate(acting_user=world.director, user=world.staff)
    clock.move_to(LATER)

    account_services.staff_reactivate(acting_user=world.director, user=world.staff)

    assert (latest(world.staff).history_user, latest(world.staff).is_active) == (world.director, True)
    given = Membership.history.filter(user_id=world.staff.pk, history_type="+", history_date=LATER).get()
    assert (given.history_user, given.history_change_reason) == (world.director, "Reactivated")


# --- The roster import ---------------------------------------------------------------------------


@pytest.fixture
def roster_district(world):
    world.district.roster_sourced_id = "d1"
    world.district.save()
    return world.district


def test_a_roster_import_records_its_staff_and_roles_with_the_person_who_ran_it(
    world, roster_district, tmp_path, clock
):
    roster_import = roster_import_from_path(
        acting_user=world.director, district=roster_district, path=write_bundle(tmp_path), dry_run=False
    )

    reason = f"Roster import #{roster_import.pk}"
    ada = User.objects.get(roster_sourced_id="t1")
    created = ada.history.get()
    assert (created.history_type, created.history_user, created.history_date, created.history_change_reason) == (
        "+",
        world.director,
        NOW,
        reason,
    )
    roles = Membership.history.filter(user_id=ada.pk)
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in roles] == [("+", world.director, reason)]
    entry = staff_history(ada).entries[-1]
    assert (entry.action, entry.summary, entry.who) == ("created", reason, world.director.full_name)
    assert "E-mail: ada.lovelace@north.example.org" in lines(entry)


def test_a_roster_import_records_changes_and_leavers_and_nothing_for_what_it_leaves_alone(
    world, roster_district, tmp_path, clock
):
    roster_import_from_path(
        acting_user=world.director, district=roster_district, path=write_bundle(tmp_path / "a"), dry_run=False
    )
    written = User.history.count() + Membership.history.count()
    again = roster_import_from_path(
        acting_user=world.director, district=roster_district, path=write_bundle(tmp_path / "b"), dry_run=False
    )
    assert User.history.count() + Membership.history.count() == written  # the same bundle changes nothing

    files = standard_files()
    files["users.csv"] = [u for u in files["users.csv"] if u["sourcedId"] != "t2"]
    files["users.csv"][0] = user("t1", "Ada", "King", identifier="E001", email="ada.lovelace@north.example.org")
    clock.move_to(LATER)
    third = roster_import_from_path(
        acting_user=world.superintendent,
        district=roster_district,
        path=write_bundle(tmp_path / "c", files),
        dry_run=False,
        confirm_departures=True,  # Grace (t2) is one of three staff: more than the district's 10%
    )

    assert again.pk != third.pk
    renamed = latest(User.objects.get(roster_sourced_id="t1"))
    assert (renamed.history_user, renamed.history_date, renamed.history_change_reason) == (
        world.superintendent,
        LATER,
        f"Roster import #{third.pk}",
    )
    assert "Last name: Lovelace → King" in lines(staff_history(User.objects.get(roster_sourced_id="t1")).entries[0])
    grace = User.objects.get(roster_sourced_id="t2")
    left = latest(grace)
    assert (left.is_active, left.left_on, left.history_user) == (False, LATER.date(), world.superintendent)
    ended_roles = Membership.history.filter(user_id=grace.pk, history_date=LATER)
    assert ended_roles.count() == 2
    assert all(r.ended_on == LATER.date() and r.history_user == world.superintendent for r in ended_roles)


def test_a_dry_run_or_a_refused_bundle_records_no_history(world, roster_district, tmp_path, clock):
    before = User.history.count() + Membership.history.count()

    roster_import_from_path(
        acting_user=world.director, district=roster_district, path=write_bundle(tmp_path / "a"), dry_run=True
    )
    bad = standard_files()
    bad["users.csv"].append(user("t9", "No", "Email", email="not-an-address"))
    roster_import_from_path(
        acting_user=world.director, district=roster_district, path=write_bundle(tmp_path / "b", bad), dry_run=False
    )

    assert User.history.count() + Membership.history.count() == before


def test_a_roster_import_from_the_command_line_is_recorded_as_the_system_with_its_number(
    world, roster_district, tmp_path, clock
):
    roster_import = roster_import_from_path(
        acting_user=None, district=roster_district, path=write_bundle(tmp_path), dry_run=False
    )

    record = User.objects.get(roster_sourced_id="t1").history.get()
    assert (record.history_user, record.history_change_reason) == (None, f"Roster import #{roster_import.pk}")
    entry = history_page([staff_source(Q(id=record.id)), membership_source(Q(user_id=record.id))]).entries[-1]
    assert entry.who == "System"


def test_a_roster_import_names_the_district_it_recognises_in_the_policy_history(world, tmp_path, clock):
    roster_import = roster_import_from_path(
        acting_user=world.director, district=world.district, path=write_bundle(tmp_path), dry_run=False
    )

    record = latest(world.district)
    assert (record.roster_sourced_id, record.history_user, record.history_change_reason) == (
        "d1",
        world.director,
        f"Roster import #{roster_import.pk}",
    )


# --- Tools, requests, designees, logo permissions, authorizations -------------------------------


def test_it_records_a_tool_added_decided_and_its_logo_permission(world, clock):
    tool = new_tool(world)
    clock.move_to(LATER)
    tool_services.tool_decide(
        acting_user=world.superintendent, tool=tool, status="approved", decided_as="superintendent"
    )
    tool_services.logo_permission_grant(
        acting_user=world.superintendent,
        subject=tool,
        decided_as="superintendent",
        granted_by_name="Dr. Ann Lee",
        granted_on=TODAY,
        written_as="letter",
    )

    logo, decided, added = tool_history(tool).entries
    assert (added.summary, added.who, added.when, added.action) == (
        "Added to the list",
        world.director.full_name,
        NOW,
        "created",
    )
    assert (decided.summary, decided.who, decided.when) == ("Approved", world.superintendent.full_name, LATER)
    assert "Status: Under review → Approved" in lines(decided)
    assert (logo.summary, logo.kind, logo.who) == (
        "Logo permission recorded",
        "Logo permission",
        world.superintendent.full_name,
    )


def test_it_records_a_tool_request_and_its_decline(world, clock):
    tool_request = tool_services.tool_request_submit(
        acting_user=world.staff,
        tool_request=ToolRequest(tool_name="Book Creator", purpose="E-books.", students="Grade 4."),
    )
    clock.move_to(LATER)
    tool_services.tool_request_decline(
        acting_user=world.superintendent, tool_request=tool_request, decided_as="superintendent", reason="No DPA."
    )

    declined, requested = tool_request_history(tool_request).entries
    assert (requested.summary, requested.who, requested.when) == ("Requested", world.staff.full_name, NOW)
    assert (declined.summary, declined.who, declined.when) == ("Not approved", world.superintendent.full_name, LATER)
    assert "Reason: — → No DPA." in lines(declined)


def test_it_records_a_designee_named_and_ended(world, clock):
    designee = tool_services.designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power="tools"
    )
    tool_services.designee_end(acting_user=world.superintendent, designee=designee)

    ended, named = designee.history.order_by("-history_id")
    assert (named.history_type, named.history_user, ended.history_user) == (
        "+",
        world.superintendent,
        world.superintendent,
    )
    assert ended.history_change_reason == "Designation ended"


def test_it_records_an_authorization_requested_authorized_and_revoked(world, clock):
    tool = tool_services.tool_decide(
        acting_user=world.superintendent, tool=new_tool(world), status="approved", decided_as="superintendent"
    )
    authorization = authorization_services.authorization_request(
        acting_user=world.staff,
        tool=tool,
        program=ProgramFactory(school=world.school, name="Robotics"),
        purpose="Build updates.",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=30),
    )
    clock.move_to(LATER)
    authorization_services.authorization_grant(
        acting_user=world.superintendent, authorization=authorization, decided_as="superintendent"
    )
    authorization_services.authorization_revoke(
        acting_user=world.superintendent, authorization=authorization, reason="Unsafe comments."
    )

    revoked, authorized, asked = authorization_history(authorization).entries
    assert asked.who == world.staff.full_name and asked.summary.startswith("Asked to use it from November 21, 2026")
    assert (authorized.summary, authorized.who, authorized.when) == (
        "Authorized, as the Superintendent",
        world.superintendent.full_name,
        LATER,
    )
    assert (revoked.summary, revoked.who) == ("Revoked", world.superintendent.full_name)
    assert "Why it ended: — → Unsafe comments." in lines(revoked)


# --- Disclosures -----------------------------------------------------------------------------------


def test_it_records_a_disclosure_filed_and_its_networks(world, clock):
    cycle = open_cycle(world)
    draft = disclosure_services.disclosure_start(acting_user=world.staff, cycle=cycle)
    add_network(world.staff, draft)
    clock.move_to(LATER)
    sign(world.staff, draft)

    entries = disclosure_history(draft).entries
    assert [(e.summary, e.who) for e in entries] == [
        ("Version 1: Submitted", world.staff.full_name),
        ("Version 1: “Band parents” network added", world.staff.full_name),
        ("Version 1: Started", world.staff.full_name),
    ]
    assert "State: Draft → Submitted" in lines(entries[0])
    assert cycle.history.get().history_user == world.director


def test_it_records_who_discarded_a_draft_and_removed_its_networks(world, clock):
    cycle = open_cycle(world)
    first = disclosure_services.disclosure_start(acting_user=world.staff, cycle=cycle)
    add_network(world.staff, first)
    filed = sign(world.staff, first)
    draft = disclosure_services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    kept = add_network(world.staff, draft, name="Kept until discarded")
    removed = add_network(world.staff, draft, name="Removed")
    ids = (draft.pk, kept.pk, removed.pk)
    clock.move_to(LATER)
    disclosure_services.network_remove(acting_user=world.staff, network=removed)
    clock.shift(60)
    disclosure_services.disclosure_discard_draft(acting_user=world.staff, disclosure=draft)

    assert not Disclosure.objects.filter(pk=ids[0]).exists()
    for record in (
        Disclosure.history.get(id=ids[0], history_type="-"),
        DisclosedNetwork.history.get(id=ids[1], history_type="-"),
    ):
        assert (record.history_user, record.history_date) == (world.staff, LATER + datetime.timedelta(minutes=1))
    removal = DisclosedNetwork.history.get(id=ids[2], history_type="-")
    assert (removal.history_user, removal.history_date) == (world.staff, LATER)
    summaries = [e.summary for e in disclosure_history(filed).entries[:4]]
    assert sorted(summaries[:3]) == [
        "Version 2: Draft discarded",
        "Version 2: “Band parents” removed",
        "Version 2: “Kept until discarded” removed",
    ]
    assert summaries[3] == "Version 2: “Removed” removed"


# --- Consent -----------------------------------------------------------------------------------------


def test_it_records_who_changed_a_consent_scope(world, clock):
    scope = social_scope(world)
    clock.move_to(LATER)
    scope.public_arena_exception = True
    scope.follows_policy = False  # a rule of its own, deliberately
    scope.differs_because = "Board resolution"
    consent_services.consent_scope_save(acting_user=world.superintendent, scope=scope)

    changed = scope_history(scope).entries[0]
    assert (changed.who, changed.when) == (world.superintendent.full_name, LATER)
    assert "Public-arena exception: no → yes" in lines(changed)


def test_a_consent_answer_keeps_who_recorded_it_and_when(world, clock):
    scope = social_scope(world)

    record = consent_services.consent_record(
        acting_user=world.clerk,
        student=StudentFactory(school=world.school),
        scope=scope,
        decision="refused",
        received_on=TODAY,
    )

    record.refresh_from_db()
    assert (record.recorded_by, record.recorded_at, record.source_import) == (world.clerk, NOW, None)


def test_an_imported_consent_answer_keeps_who_imported_it_when_and_from_which_file(world, clock):
    social_scope(world)
    pupil = StudentFactory(school=world.school, sis_id="N1")
    data = b"sis_id,scope,decision,date\r\nN1,social_media,granted,2026-11-02\r\n"
    checked = consent_services.consent_import_check(
        acting_user=world.clerk, district=world.district, file_name="answers.csv", data=data
    )
    clock.move_to(LATER)

    consent_services.consent_import_apply(acting_user=world.clerk, consent_import=checked)

    record = ConsentRecord.objects.get(student=pupil)
    assert (record.recorded_by, record.recorded_at, record.source_import, record.decision) == (
        world.clerk,
        LATER,
        checked,
        "granted",
    )
