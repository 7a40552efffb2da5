"""OneRoster import: what a good bundle does, and what every kind of bad bundle is told."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Membership, Program, ProgramMembership, Role, School, Student, User
from accounts.roster import RosterRejected, import_roster
from tests.accounts.bundles import standard_files, user, write_bundle
from tests.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=False)
TODAY = datetime.date(2026, 9, 1)


@pytest.fixture
def district(db):
    return DistrictFactory(slug="north", name="North District")


def snapshot() -> dict[str, int]:
    return {
        "schools": School.objects.count(),
        "users": User.objects.count(),
        "active_users": User.objects.filter(is_active=True).count(),
        "students": Student.objects.count(),
        "memberships": Membership.objects.filter(ended_on__isnull=True).count(),
        "programs": Program.objects.count(),
        "enrollments": ProgramMembership.objects.filter(ended_on__isnull=True).count(),
    }


def problems_of(district, path) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(RosterRejected) as rejected:
        import_roster(district, path, today=TODAY)
    return [(p.file, p.line, p.field) for p in rejected.value.report.problems]


# --- A good bundle ------------------------------------------------------------------------


def test_it_creates_schools_staff_students_and_classes(district, tmp_path):
    report = import_roster(district, write_bundle(tmp_path), today=TODAY)

    assert report.ok
    assert report.counts["schools"]["created"] == 2
    assert report.counts["staff"]["created"] == 3
    assert report.counts["students"]["created"] == 4
    high = School.objects.get(district=district, roster_sourced_id="sch1")
    assert (high.name, high.code) == ("North High", "101")
    ada = User.objects.get(email="ada.lovelace@north.example.org")
    assert (ada.district, ada.employee_id, ada.has_usable_password()) == (district, "E001", False)
    grace = User.objects.get(roster_sourced_id="t2")
    assert set(grace.memberships.values_list("role", "school__roster_sourced_id")) == {
        (Role.STAFF, "sch1"),
        (Role.STAFF, "sch2"),
    }
    alan = User.objects.get(roster_sourced_id="a1")
    assert list(alan.memberships.values_list("role", "school")) == [(Role.STAFF, None)]
    sam = Student.objects.get(district=district, sis_id="1001")
    assert (sam.school, sam.grade, sam.first_name) == (high, "09", "Sam")
    assert Student.objects.get(sis_id="1003").grade == "KG"
    assert Student.objects.get(roster_sourced_id="s4").sis_id == "s4"  # no identifier: the sourcedId
    assert Student.objects.get(roster_sourced_id="s4").grade == "03"
    assert not User.objects.filter(roster_sourced_id="p1").exists()  # parents are not stored
    robotics = Program.objects.get(roster_sourced_id="c1")
    assert (robotics.school, robotics.kind) == (high, "class")
    assert set(robotics.memberships.values_list("student__sis_id", "user__roster_sourced_id", "role")) == {
        ("1001", None, "member"),
        (None, "t1", "teacher"),
    }
    district.refresh_from_db()
    assert district.roster_sourced_id == "d1"


def test_it_changes_nothing_when_the_same_bundle_is_imported_again(district, tmp_path):
    path = write_bundle(tmp_path)
    import_roster(district, path, today=TODAY)
    before = snapshot()

    report = import_roster(district, path, today=TODAY)

    assert snapshot() == before
    for entity, bucket in report.counts.items():
        assert set(bucket.values()) == {0}, entity


def test_it_updates_names_and_reports_them_as_changed(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    files = standard_files()
    files["users.csv"][0]["familyName"] = "King"
    files["users.csv"][3]["grades"] = "10"

    report = import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY)

    assert report.counts["staff"] == {"created": 0, "changed": 1, "deactivated": 0}
    assert report.counts["students"] == {"created": 0, "changed": 1, "deactivated": 0}
    assert User.objects.get(roster_sourced_id="t1").last_name == "King"
    assert Student.objects.get(roster_sourced_id="s1").grade == "10"


def test_it_deactivates_people_marked_tobedeleted_and_ends_their_roles(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    grace = User.objects.get(roster_sourced_id="t2")
    Membership.objects.create(
        user=grace, district=district, role=Role.PRINCIPAL, school=grace.memberships.first().school
    )
    files = standard_files()
    files["users.csv"][1]["status"] = "tobedeleted"
    files["users.csv"][3]["status"] = "tobedeleted"

    report = import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY, confirm_departures=True)

    grace.refresh_from_db()
    assert (grace.is_active, grace.left_on) == (False, TODAY)
    assert not grace.memberships.filter(ended_on__isnull=True).exists()  # the principal role too
    sam = Student.objects.get(roster_sourced_id="s1")
    assert (sam.active, sam.left_on) == (False, TODAY)
    assert not sam.programs.filter(ended_on__isnull=True).exists()
    assert report.counts["staff"]["deactivated"] == 1
    assert report.counts["students"]["deactivated"] == 1
    assert User.objects.filter(roster_sourced_id="t2").exists()  # never deleted


def test_it_deactivates_people_missing_from_a_bulk_file(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    files = standard_files()
    files["users.csv"] = [u for u in files["users.csv"] if u["sourcedId"] not in ("t2", "s2")]

    report = import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY, confirm_departures=True)

    assert not User.objects.get(roster_sourced_id="t2").is_active
    assert not Student.objects.get(roster_sourced_id="s2").active
    assert User.objects.get(roster_sourced_id="t1").is_active
    assert report.counts["staff"]["deactivated"] == 1
    assert any("Grace Hopper" in example for example in report.deactivated_examples)


def test_it_keeps_people_missing_from_a_delta_file(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    files = {"orgs.csv": [], "users.csv": [user("t9", "New", "Hire", orgs="sch1")]}

    import_roster(district, write_bundle(tmp_path / "b", files, modes={"users": "delta", "orgs": "delta"}), today=TODAY)

    assert User.objects.get(roster_sourced_id="t2").is_active
    assert User.objects.get(roster_sourced_id="t9").memberships.get().school.roster_sourced_id == "sch1"


def test_it_never_touches_people_added_by_hand(district, tmp_path):
    by_hand = UserFactory(district=district, email="volunteer@north.example.org")

    import_roster(district, write_bundle(tmp_path), today=TODAY)

    by_hand.refresh_from_db()
    assert by_hand.is_active


def test_it_adopts_a_person_made_by_hand_whose_email_a_staff_row_has(district, tmp_path):
    director = UserFactory(district=district, email="director@north.example.org")
    by_hand = UserFactory(district=district, email="Ada.Lovelace@north.example.org", last_name="L.")

    report = import_roster(district, write_bundle(tmp_path), today=TODAY, acting_user=director)

    by_hand.refresh_from_db()
    assert (by_hand.roster_sourced_id, by_hand.last_name, by_hand.employee_id) == ("t1", "Lovelace", "E001")
    assert by_hand.email == "ada.lovelace@north.example.org"
    assert report.counts["staff"]["matched"] == 1
    assert report.counts["staff"]["created"] == 2
    assert by_hand.memberships.get().school.roster_sourced_id == "sch1"
    record = by_hand.history.latest()
    assert (record.roster_sourced_id, record.history_user, record.history_change_reason) == (
        "t1",
        director,
        "Roster import",
    )


def test_a_dry_run_reports_the_people_it_would_adopt_and_changes_nothing(district, tmp_path):
    by_hand = UserFactory(district=district, email="ada.lovelace@north.example.org")

    report = import_roster(district, write_bundle(tmp_path), dry_run=True, today=TODAY)

    assert report.counts["staff"]["matched"] == 1
    by_hand.refresh_from_db()
    assert by_hand.roster_sourced_id is None


def test_it_reactivates_someone_who_comes_back(district, tmp_path):
    files = standard_files()
    files["users.csv"][0]["status"] = "tobedeleted"
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY, confirm_departures=True)
    assert not User.objects.get(roster_sourced_id="t1").is_active

    import_roster(district, write_bundle(tmp_path / "c"), today=TODAY)

    ada = User.objects.get(roster_sourced_id="t1")
    assert (ada.is_active, ada.left_on) == (True, None)
    assert ada.memberships.filter(ended_on__isnull=True, role=Role.STAFF).exists()


def test_it_tolerates_header_case_spaces_and_unknown_columns(district, tmp_path):
    files = standard_files()
    path = write_bundle(tmp_path, files)
    users = (path / "users.csv").read_text().splitlines()
    header = [f"  {h.upper()} " for h in users[0].split(",")] + ["metadata.favouriteColour"]
    rows = [line + ",blue" for line in users[1:]]
    (path / "users.csv").write_text("\r\n".join([",".join(header), *rows]) + "\r\n")

    report = import_roster(district, path, today=TODAY)

    assert report.counts["staff"]["created"] == 3


def test_it_reads_a_zip_with_files_in_a_folder(district, tmp_path):
    report = import_roster(district, write_bundle(tmp_path, as_zip=True), today=TODAY)

    assert report.counts["students"]["created"] == 4


def test_it_reads_oneroster_1_2_roles(district, tmp_path):
    files = standard_files()
    users = [{k: v for k, v in u.items() if k not in ("role", "orgSourcedIds")} for u in files["users.csv"]]
    roles = []
    for u in files["users.csv"]:
        for position, org_id in enumerate(u["orgSourcedIds"].split(",")):
            roles.append(
                {
                    "sourcedId": f"r-{u['sourcedId']}-{org_id}",
                    "status": "active",
                    "userSourcedId": u["sourcedId"],
                    "roleType": "primary" if position == 0 else "secondary",
                    "role": u["role"],
                    "orgSourcedId": org_id,
                }
            )
    files_12 = {"orgs.csv": files["orgs.csv"], "users.csv": users, "roles.csv": roles}

    report = import_roster(district, write_bundle(tmp_path, files_12, version="1.2"), today=TODAY)

    assert report.version == "1.2"
    assert report.counts["staff"]["created"] == 3
    assert report.counts["students"]["created"] == 4
    assert Student.objects.get(roster_sourced_id="s3").school.roster_sourced_id == "sch2"
    assert User.objects.get(roster_sourced_id="t2").memberships.count() == 2


def test_a_dry_run_reports_exact_counts_and_changes_nothing(district, tmp_path):
    before = snapshot()

    report = import_roster(district, write_bundle(tmp_path), dry_run=True, today=TODAY)

    assert report.dry_run
    assert report.counts["students"]["created"] == 4
    assert snapshot() == before


def test_it_reports_progress_from_start_to_finish(district, tmp_path):
    seen: list[float] = []

    import_roster(district, write_bundle(tmp_path), progress=lambda f, m: seen.append(f), today=TODAY)

    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) > 3


# --- Leavers: a file cut short does not deactivate everyone ------------------------------


def orgs_and_users(users: list[dict]) -> dict[str, list[dict]]:
    return {"orgs.csv": standard_files()["orgs.csv"], "users.csv": users}


@pytest.mark.parametrize("dry_run", [False, True])
def test_it_refuses_a_users_file_with_only_a_header_and_deactivates_nobody(district, tmp_path, dry_run):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    before = snapshot()

    with pytest.raises(RosterRejected) as rejected:
        import_roster(district, write_bundle(tmp_path / "b", orgs_and_users([])), dry_run=dry_run, today=TODAY)

    problems = rejected.value.report.problems
    assert [(p.file, p.line, p.field) for p in problems] == [("users.csv", None, None)] * 2
    staff, students = (p.message for p in problems)
    assert staff.startswith(
        "would deactivate 3 of the district's 3 active staff (100%; its policy allows 10% at once). "
        "If they have left, tick “I confirm that the people this file leaves out have left” "
        "(or use --confirm-departures) and import again."
    )
    assert staff.endswith("For example: Grace Hopper, Ada Lovelace, Alan Turing")
    assert students.startswith("would deactivate 4 of the district's 4 active students (100%")
    assert snapshot() == before


def test_it_deactivates_everyone_a_confirmed_file_leaves_out(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)

    report = import_roster(
        district, write_bundle(tmp_path / "b", orgs_and_users([])), today=TODAY, confirm_departures=True
    )

    assert report.counts["staff"]["deactivated"] == 3
    assert report.counts["students"]["deactivated"] == 4
    assert not User.objects.filter(district=district, is_active=True).exists()
    assert not Student.objects.filter(district=district, active=True).exists()


@pytest.mark.parametrize(
    ("limit", "refused"),
    [
        pytest.param(34, [], id="within-the-share"),
        pytest.param(25, ["staff (34%"], id="one-of-three-staff-is-too-many"),
        pytest.param(24, ["staff (34%", "students (25%"], id="one-of-four-students-too"),
    ],
)
def test_it_deactivates_a_few_leavers_within_the_districts_share(district, tmp_path, limit, refused):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    district.roster_deactivation_limit_percent = limit
    district.save()
    files = standard_files()
    files["users.csv"] = [u for u in files["users.csv"] if u["sourcedId"] not in ("t2", "s2")]

    try:
        report = import_roster(district, write_bundle(tmp_path / "b", files), today=TODAY)
    except RosterRejected as rejected:
        report = rejected.report

    assert [p.message.split(" active ")[1].split(";")[0] for p in report.problems] == refused
    assert User.objects.get(roster_sourced_id="t2").is_active is bool(refused)
    assert Student.objects.get(roster_sourced_id="s2").active is bool(refused)


# --- Bad bundles: one report, file/line/field, nothing written -----------------------------


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(lambda f: f.pop("users.csv"), ("users.csv", None, None), id="missing-file"),
        pytest.param(
            lambda f: f["users.csv"][1].update(orgSourcedIds="nowhere"),
            ("users.csv", 3, "orgSourcedIds"),
            id="unknown-org",
        ),
        pytest.param(
            lambda f: f["users.csv"][4].update(sourcedId="s1"), ("users.csv", 6, "sourcedId"), id="duplicate-sourcedId"
        ),
        pytest.param(
            lambda f: f["orgs.csv"][2].update(sourcedId="sch1"), ("orgs.csv", 4, "sourcedId"), id="duplicate-org"
        ),
        pytest.param(lambda f: f["users.csv"][0].update(role="wizard"), ("users.csv", 2, "role"), id="unknown-role"),
        pytest.param(
            lambda f: f["users.csv"][0].update(givenName=""), ("users.csv", 2, "givenName"), id="missing-name"
        ),
        pytest.param(
            lambda f: f["users.csv"][0].update(email="not-an-address"), ("users.csv", 2, "email"), id="bad-email"
        ),
        pytest.param(
            lambda f: f["users.csv"][1].update(email="ada.lovelace@north.example.org"),
            ("users.csv", 3, "email"),
            id="duplicate-email",
        ),
        pytest.param(
            lambda f: f["users.csv"][4].update(identifier="1001"),
            ("users.csv", 6, "identifier"),
            id="duplicate-student-id",
        ),
        pytest.param(
            lambda f: f["users.csv"][3].update(grades="purple"), ("users.csv", 5, "grades"), id="unknown-grade"
        ),
        pytest.param(
            lambda f: f["users.csv"][0].update(status="maybe"), ("users.csv", 2, "status"), id="unknown-status"
        ),
        pytest.param(
            lambda f: f["enrollments.csv"][0].update(classSourcedId="c404"),
            ("enrollments.csv", 2, "classSourcedId"),
            id="unknown-class",
        ),
        pytest.param(
            lambda f: f["enrollments.csv"][0].update(userSourcedId="ghost"),
            ("enrollments.csv", 2, "userSourcedId"),
            id="unknown-enrolled-user",
        ),
        pytest.param(
            lambda f: f["classes.csv"][0].update(schoolSourcedId="sch9"),
            ("classes.csv", 2, "schoolSourcedId"),
            id="class-at-unknown-school",
        ),
        pytest.param(lambda f: f["orgs.csv"][1].update(type="castle"), ("orgs.csv", 3, "type"), id="bad-org-type"),
        pytest.param(lambda f: f["users.csv"][0].update(email=""), ("users.csv", 2, "email"), id="staff-no-email"),
        pytest.param(
            lambda f: f["users.csv"][0].update(familyName="x" * 151),
            ("users.csv", 2, "familyName"),
            id="over-long-name",
        ),
    ],
)
def test_it_rejects_bad_rows_naming_file_line_and_field_and_writes_nothing(district, tmp_path, mutate, expected):
    files = standard_files()
    mutate(files)
    before = snapshot()

    found = problems_of(district, write_bundle(tmp_path, files))

    assert expected in found
    assert snapshot() == before


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param({"users.csv": ""}, ("users.csv", 1, None), id="empty-file"),
        pytest.param(
            {"users.csv": "sourcedId,givenName\r\nx,y\r\n"}, ("users.csv", 1, "familyName"), id="missing-column"
        ),
        pytest.param(
            {
                "users.csv": "sourcedId,orgSourcedIds,role,givenName,familyName\r\nt1,sch1,teacher,Zo\xe9,X\r\n".encode(
                    "latin-1"
                )
            },
            ("users.csv", 2, None),
            id="not-utf8",
        ),
        pytest.param(
            {"users.csv": "sourcedId,orgSourcedIds,role,givenName,familyName\r\nt1,sch1,teacher,A\r\n"},
            ("users.csv", 2, None),
            id="ragged-row",
        ),
        pytest.param(
            {"manifest.csv": "propertyName,value\r\noneroster.version,9.9\r\n"},
            ("manifest.csv", None, "oneroster.version"),
            id="unsupported-version",
        ),
    ],
)
def test_it_rejects_broken_files_and_writes_nothing(district, tmp_path, raw, expected):
    before = snapshot()

    found = problems_of(district, write_bundle(tmp_path, raw=raw))

    assert expected in found
    assert snapshot() == before


def test_it_lists_every_problem_at_once(district, tmp_path):
    files = standard_files()
    files["users.csv"][0]["grades"] = "soon"
    files["users.csv"][1]["orgSourcedIds"] = "nowhere"
    files["orgs.csv"][1]["type"] = "castle"

    found = problems_of(district, write_bundle(tmp_path, files))

    assert {("users.csv", 2, "grades"), ("users.csv", 3, "orgSourcedIds"), ("orgs.csv", 3, "type")} <= set(found)


def test_it_refuses_an_email_that_belongs_to_someone_in_another_district(district, tmp_path):
    UserFactory(district=DistrictFactory(slug="south"), email="ada.lovelace@north.example.org")

    assert ("users.csv", 2, "email") in problems_of(district, write_bundle(tmp_path))


@pytest.mark.parametrize(
    "holder",
    [
        pytest.param(lambda d: UserFactory(district=DistrictFactory(slug="south")), id="another-district"),
        pytest.param(lambda d: UserFactory(district=None), id="a-platform-operator"),
        pytest.param(lambda d: UserFactory(district=d, roster_sourced_id="t-old"), id="linked-to-another-roster-id"),
    ],
)
def test_it_refuses_an_email_another_person_holds_whatever_its_case(district, tmp_path, holder):
    other = holder(district)
    other.email = "ADA.Lovelace@north.example.org"
    other.save()
    before = snapshot()

    assert ("users.csv", 2, "email") in problems_of(district, write_bundle(tmp_path))
    assert snapshot() == before


def test_it_refuses_to_adopt_a_person_made_by_hand_when_the_row_already_has_its_person(district, tmp_path):
    import_roster(district, write_bundle(tmp_path / "a"), today=TODAY)
    by_hand = UserFactory(district=district, email="ada.new@north.example.org")
    files = standard_files()
    files["users.csv"][0]["email"] = "ada.new@north.example.org"  # Ada (t1) is already someone else

    assert ("users.csv", 2, "email") in problems_of(district, write_bundle(tmp_path / "b", files))
    by_hand.refresh_from_db()
    assert by_hand.roster_sourced_id is None


def test_it_refuses_an_employee_id_another_person_of_the_district_holds(district, tmp_path):
    UserFactory(district=district, email="someone.else@north.example.org", employee_id="E001")
    before = snapshot()

    assert ("users.csv", 2, "identifier") in problems_of(district, write_bundle(tmp_path))
    assert snapshot() == before


def test_it_adopts_a_person_made_by_hand_who_already_has_the_rows_employee_id(district, tmp_path):
    by_hand = UserFactory(district=district, email="ada.lovelace@north.example.org", employee_id="E001")

    import_roster(district, write_bundle(tmp_path), today=TODAY)

    by_hand.refresh_from_db()
    assert by_hand.roster_sourced_id == "t1"


def test_it_refuses_a_bundle_exported_for_another_district(district, tmp_path):
    district.roster_sourced_id = "d-elsewhere"
    district.save()

    found = problems_of(district, write_bundle(tmp_path))

    assert ("orgs.csv", None, "sourcedId") in found


def test_it_refuses_a_missing_manifest(district, tmp_path):
    path = write_bundle(tmp_path)
    (path / "manifest.csv").unlink()

    assert ("manifest.csv", None, None) in problems_of(district, path)


def test_it_refuses_a_file_that_is_not_a_bundle(district, tmp_path):
    not_a_zip = tmp_path / "roster.zip"
    not_a_zip.write_text("hello")

    assert problems_of(district, not_a_zip) == [("roster.zip", None, None)]


def test_it_does_not_mix_districts_that_share_sourced_ids(district, tmp_path):
    south = DistrictFactory(slug="south")
    files = standard_files()
    import_roster(district, write_bundle(tmp_path / "a", files), today=TODAY)
    for u in files["users.csv"]:
        u["email"] = u["email"].replace("north", "south")

    import_roster(south, write_bundle(tmp_path / "b", files), today=TODAY)

    assert Student.objects.filter(district=district).count() == 4
    assert Student.objects.filter(district=south).count() == 4
    assert School.objects.filter(district=south, roster_sourced_id="sch1").exists()
