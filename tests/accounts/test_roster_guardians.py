"""Parents and guardians from the roster: linked to their students either way agentSourcedIds runs,
deactivated with them, and shown only on their own students' pages to those who may see them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.models import Guardian, Student, StudentGuardian
from accounts.roster import import_roster
from tests.accounts.bundles import guardian, standard_files, write_bundle
from tests.factories import DistrictFactory, StudentFactory, guardian_of

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 9, 1)


@pytest.fixture
def district(db):
    return DistrictFactory(slug="north", name="North District")


def with_families(**changes: dict) -> dict[str, list[dict]]:
    """The standard bundle plus two parents: Pat (of Sam, listed on Pat's row) and Rae (of Kim and Lee,
    listed on the students' rows)."""
    files = standard_files()
    users = files["users.csv"]
    users[4]["agentSourcedIds"] = "g2"  # Kim
    users[5]["agentSourcedIds"] = "g2"  # Lee, at the other school
    users += [
        guardian("g1", "Pat", "Student", "s1", phone="+1 555 0100", **{"metadata.preferredLanguage": "es"}),
        guardian("g2", "Rae", "Pupil", "", role="guardian"),
    ]
    for sid, change in changes.items():
        next(u for u in users if u["sourcedId"] == sid).update(change)
    return files


def links() -> set[tuple[str, str, str, bool]]:
    return {
        (link.student.roster_sourced_id, link.guardian.roster_sourced_id, link.relationship, link.ended_on is None)
        for link in StudentGuardian.objects.select_related("student", "guardian")
    }


def test_it_stores_guardians_with_what_reaches_them_and_links_them_either_way(district, tmp_path):
    report = import_roster(district, write_bundle(tmp_path, with_families()), today=TODAY)

    assert report.counts["guardians"]["created"] == 2
    pat = Guardian.objects.get(roster_sourced_id="g1")
    assert (pat.first_name, pat.email, pat.phone, pat.preferred_language) == (
        "Pat",
        "pat@family.example.org",
        "+1 555 0100",
        "es",
    )
    assert links() == {("s1", "g1", "parent", True), ("s2", "g2", "guardian", True), ("s3", "g2", "guardian", True)}
    assert pat.history.latest().history_change_reason == "Roster import"


def test_it_reads_guardians_from_oneroster_1_2_roles(district, tmp_path):
    files = with_families()
    users = [{k: v for k, v in u.items() if k not in ("role", "orgSourcedIds")} for u in files["users.csv"]]
    roles = [
        {"sourcedId": f"r-{u['sourcedId']}", "status": "active", "userSourcedId": u["sourcedId"],
         "roleType": "primary", "role": u["role"], "orgSourcedId": (u.get("orgSourcedIds") or "sch1").split(",")[0]}
        for u in files["users.csv"]
    ]  # fmt: skip

    import_roster(
        district,
        write_bundle(tmp_path, {"orgs.csv": files["orgs.csv"], "users.csv": users, "roles.csv": roles}, version="1.2"),
        today=TODAY,
    )

    assert ("s1", "g1", "parent", True) in links()
    assert Guardian.objects.get(roster_sourced_id="g2").active


def test_a_guardian_leaves_with_their_last_student_and_stays_for_another(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a", with_families()), today=TODAY)
    files = with_families(s1={"status": "tobedeleted"}, s2={"status": "tobedeleted"})

    report = import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY, confirm_departures=True)

    pat, rae = Guardian.objects.get(roster_sourced_id="g1"), Guardian.objects.get(roster_sourced_id="g2")
    assert (pat.active, pat.left_on) == (False, TODAY)
    assert rae.active  # Lee is still at school
    assert links() == {("s1", "g1", "parent", False), ("s2", "g2", "guardian", False), ("s3", "g2", "guardian", True)}
    assert report.counts["guardians"]["deactivated"] == 1
    assert report.counts["guardian links"]["ended"] == 2


def test_a_guardian_missing_from_a_full_file_is_deactivated(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a", with_families()), today=TODAY)
    files = with_families()
    files["users.csv"] = [u for u in files["users.csv"] if u["sourcedId"] != "g1"]

    import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY)

    assert not Guardian.objects.get(roster_sourced_id="g1").active
    assert Guardian.objects.filter(active=True).count() == 1


def test_a_reimport_changes_no_guardian_and_writes_no_history(district, tmp_path):
    path = write_bundle(tmp_path, with_families())
    import_roster(district, path, today=TODAY)
    rows = Guardian.history.count() + StudentGuardian.history.count()

    report = import_roster(district, path, today=TODAY)

    assert report.counts["guardians"] == {"created": 0, "changed": 0, "deactivated": 0}
    assert Guardian.history.count() + StudentGuardian.history.count() == rows


def test_a_guardian_linked_to_nobody_is_a_warning_and_is_not_stored(district, tmp_path):
    files = with_families()
    files["users.csv"].append(guardian("g9", "Lone", "Parent", ""))
    files["users.csv"][3]["agentSourcedIds"] = "g404"  # Sam names a guardian the export left out

    report = import_roster(district, write_bundle(tmp_path, files), today=TODAY)

    assert report.ok
    warned = {(w.line, w.field, w.message) for w in report.warnings}
    assert (12, "agentSourcedIds", "guardian 'g9' is linked to no student; not stored") in warned
    assert (5, "agentSourcedIds", "'g404' is not in users.csv; no family link was made") in warned
    assert not Guardian.objects.filter(roster_sourced_id="g9").exists()


def test_a_bad_guardian_email_still_refuses_the_bundle(district, tmp_path):
    files = with_families(g1={"email": "not-an-address"})

    from accounts.roster import RosterRejected

    with pytest.raises(RosterRejected) as rejected:
        import_roster(district, write_bundle(tmp_path, files), today=TODAY)

    assert ("users.csv", 10, "email") in [(p.file, p.line, p.field) for p in rejected.value.report.problems]
    assert not Guardian.objects.exists()


# --- Who sees them ------------------------------------------------------------------------------


@pytest.fixture
def family(world):
    """Ana at the first school and her brother Ben at the other, both children of Maria."""
    ana = StudentFactory(school=world.school, first_name="Ana-Lucia", last_name="Rivera")
    # Names no persona of the world can have (Faker draws theirs), so a page naming them means them.
    ben = StudentFactory(school=world.other_school, first_name="Bengt-Olof", last_name="Rivera")
    maria = guardian_of(ana, first_name="Maria", last_name="Rivera", email="maria@home.example.org")
    StudentGuardian.objects.create(student=ben, guardian=maria, relationship="parent")
    guardian_of(StudentFactory(school=world.foreign_school), email="someone@south.example.org")
    return ana, ben, maria


@pytest.mark.parametrize("persona", ["director", "superintendent", "principal", "clerk"])
def test_those_who_see_a_student_see_their_guardians_and_only_that_link(client, world, family, persona):
    ana, _ben, _maria = family
    client.force_login(world.persona(persona))

    page = client.get(reverse("student_detail", args=[ana.pk])).content.decode()

    assert "Maria Rivera" in page and "maria@home.example.org" in page and "+1 555 0199" in page
    assert "Bengt-Olof" not in page  # her brother is at a school the principal may not cover


@pytest.mark.parametrize("persona", ["other_principal", "foreign_director", "foreign_principal"])
def test_a_principal_of_another_school_or_district_gets_404_on_the_student(client, world, family, persona):
    ana, _ben, _maria = family
    client.force_login(world.persona(persona))

    assert client.get(reverse("student_detail", args=[ana.pk])).status_code == 404


def test_no_page_shows_a_guardian_across_schools_or_districts(client, world, family):
    """The other school's principal sees Ben (Maria's link to him is theirs to see), never Ana; the
    other district sees neither."""
    _ana, ben, _maria = family
    client.force_login(world.other_principal)
    ben_page = client.get(reverse("student_detail", args=[ben.pk])).content.decode()
    assert "maria@home.example.org" in ben_page and "Ana-Lucia" not in ben_page
    client.force_login(world.foreign_director)
    for url in (reverse("student_list"), reverse("school_list"), reverse("home")):
        page = client.get(url, follow=True).content.decode()
        assert "maria@home.example.org" not in page and "Rivera" not in page


def test_a_student_without_guardians_says_so(client, world):
    student = StudentFactory(school=world.school)
    client.force_login(world.principal)

    page = client.get(reverse("student_detail", args=[student.pk])).content.decode()

    assert "None on record from the roster." in page
    assert Student.objects.count() == 1
