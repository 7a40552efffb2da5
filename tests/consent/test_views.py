"""Consent pages: what each role sees, that every view is logged, and that list pages cost
the same number of queries for 30 students as for 3,000."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from accounts.models import Program, ProgramMembership, ProgramRole, Student
from consent.models import ConsentRecord, ListKind, ListViewLog
from tests.factories import (
    ConsentRecordFactory,
    ProgramFactory,
    SocialAccountFactory,
    StudentFactory,
    UserFactory,
    staff_at,
)
from tests.pages import fetch, queries_for


def add_students(school, count: int, *, program: Program | None = None, scope=None) -> None:
    """`count` students in bulk; a third refused `scope`, a third granted, a third no answer."""
    start = Student.objects.count()
    students = Student.objects.bulk_create(
        Student(
            district=school.district,
            school=school,
            sis_id=f"B{start + n:07d}",
            first_name=f"First{n}",
            last_name=f"Last{start + n:07d}",
            grade="07",
        )
        for n in range(count)
    )
    if program is not None:
        ProgramMembership.objects.bulk_create(ProgramMembership(program=program, student=s) for s in students)
    if scope is not None:
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                student=s,
                scope=scope,
                decision="refused" if n % 3 == 0 else "granted",
                received_on=datetime.date(2026, 9, 2),
                received_by="paper",
                school_year=2026,
            )
            for n, s in enumerate(students)
            if n % 3 != 2
        )


@pytest.fixture
def pupil(world, scopes):
    """A student of world.school whose family refused social media."""
    student = StudentFactory(school=world.school, first_name="Ana", last_name="Lindqvist")
    ConsentRecordFactory(student=student, scope=scopes["social_media"], decision="refused")
    return student


# --- Who sees what -----------------------------------------------------------------------------

# Which role may open which consent page (200, 404) is the permission matrix's
# (tests/security/test_permission_matrix.py); these test what the pages show and what they record.


def test_it_shows_a_schools_do_not_post_list_with_the_refused_student(client, world, pupil):
    client.force_login(world.staff)

    response = client.get(reverse("consent:school_do_not_post", args=[world.school.pk]))

    assert "Lindqvist" in response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, world, pupil):
    response = client.get(reverse("consent:school_do_not_post", args=[world.school.pk]))

    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("clerk", 302), ("principal", 302), ("director", 302), ("staff", 403), ("communications", 403)],
)
def test_it_lets_only_clerks_principals_and_leadership_record_answers(client, world, pupil, scopes, persona, expected):
    client.force_login(world.persona(persona))

    response = client.post(
        reverse("consent:student", args=[pupil.pk]),
        {
            "scope": scopes["social_media"].pk,
            "decision": "granted",
            "received_on": "2026-11-20",
            "received_by": "paper",
        },
    )

    assert response.status_code == expected
    assert ConsentRecord.objects.filter(student=pupil, decision="granted").exists() is (expected == 302)


def test_it_hides_other_schools_students_from_the_quick_check(client, world, scopes):
    StudentFactory(school=world.school, last_name="Quarrington")
    StudentFactory(school=world.other_school, last_name="Quarrington")
    StudentFactory(school=world.foreign_school, last_name="Quarrington")
    client.force_login(world.staff)

    response = client.get(reverse("consent:check"), {"q": "Quarrington"})

    assert response.content.decode().count("Quarrington") == 1 + 1  # the search box echoes it once
    assert world.school.name in response.content.decode()
    assert world.other_school.name not in response.content.decode()


def test_it_answers_the_quick_check_for_a_public_event(client, world, pupil):
    client.force_login(world.staff)

    ordinary = client.get(reverse("consent:check"), {"q": "Lindqvist"}).content.decode()
    at_a_game = client.get(reverse("consent:check"), {"q": "Lindqvist", "public_arena": "on"}).content.decode()

    assert "The family refused" in ordinary
    assert "public-arena exception applies" in at_a_game


def test_it_shows_a_program_list_to_its_coach_even_without_a_school_role(client, world, pupil):
    team = ProgramFactory(school=world.school, kind="team", name="Varsity Soccer")
    ProgramMembership.objects.create(program=team, student=pupil)
    coach = UserFactory(district=world.district)
    ProgramMembership.objects.create(program=team, user=coach, role=ProgramRole.COACH)
    outsider = staff_at(world.other_school)

    client.force_login(coach)
    assert "Lindqvist" in client.get(reverse("consent:program_do_not_post", args=[team.pk])).content.decode()
    client.force_login(outsider)
    assert client.get(reverse("consent:program_do_not_post", args=[team.pk])).status_code == 404


def test_it_lists_an_official_accounts_students_through_its_program(client, world, pupil):
    team = ProgramFactory(school=world.school, kind="team")
    ProgramMembership.objects.create(program=team, student=pupil)
    not_on_team = StudentFactory(school=world.school, last_name="Outsidewick")
    account = SocialAccountFactory(district=world.district, owner_kind="program", program=team, school=world.school)
    client.force_login(world.principal)

    page = client.get(reverse("consent:account_do_not_post", args=[account.pk])).content.decode()

    assert "Lindqvist" in page and not_on_team.last_name not in page


def test_it_narrows_a_district_accounts_list_to_the_viewers_own_school(client, world, scopes, pupil):
    elsewhere = StudentFactory(school=world.other_school, last_name="Elsewhereton")
    ConsentRecordFactory(student=elsewhere, scope=scopes["social_media"], decision="refused")
    account = SocialAccountFactory(district=world.district, owner_kind="district", school=None)
    teacher = staff_at(world.school)
    account.requested_by = teacher
    account.save()
    client.force_login(teacher)

    page = client.get(reverse("consent:account_do_not_post", args=[account.pk])).content.decode()

    assert "Lindqvist" in page and "Elsewhereton" not in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("director", 200), ("superintendent", 200), ("principal", 403), ("clerk", 403), ("foreign_director", 404)],
)
def test_it_shows_the_privacy_log_and_scopes_only_to_leadership(client, world, scopes, persona, expected):
    client.force_login(world.persona(persona))

    assert client.get(reverse("consent:privacy_log", args=[world.district.slug])).status_code == expected
    assert client.get(reverse("consent:scope_list", args=[world.district.slug])).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("clerk", 200), ("director", 200), ("staff", 404), ("communications", 404), ("foreign_director", 404)],
)
def test_it_offers_the_import_to_those_who_record_answers(client, world, scopes, persona, expected):
    client.force_login(world.persona(persona))

    assert client.get(reverse("consent:import_upload", args=[world.district.slug])).status_code == expected


# --- Logging every view ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("consent:school_do_not_post", ListKind.SCHOOL),
        ("consent:school_print", ListKind.SCHOOL_PRINT),
        ("consent:school_export", ListKind.EXPORT),
        ("consent:no_answer", ListKind.NO_ANSWER),
    ],
)
def test_it_logs_who_viewed_which_list_and_when(client, world, pupil, today, name, kind):
    client.force_login(world.clerk)

    fetch(client, reverse(name, args=[world.school.pk]))

    entry = ListViewLog.objects.get()
    assert (entry.user, entry.kind, entry.district) == (world.clerk, kind, world.district)
    assert world.school.name in entry.subject
    assert entry.viewed_at.date() == today


def test_it_logs_a_student_page_against_the_student(client, world, pupil):
    client.force_login(world.principal)

    client.get(reverse("consent:student", args=[pupil.pk]))

    assert ListViewLog.objects.get().student == pupil


def test_it_logs_a_quick_check_with_the_search(client, world, pupil):
    client.force_login(world.staff)

    client.get(reverse("consent:check"), {"q": "Lindqvist"})

    assert ListViewLog.objects.get(kind=ListKind.CHECK).subject == "search “Lindqvist”"


# --- The clerk's entry and the lists moving --------------------------------------------------


def test_it_takes_the_clerk_back_to_the_search_after_recording(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:student", args=[pupil.pk]),
        {
            "scope": scopes["social_media"].pk,
            "decision": "granted",
            "received_on": "2026-11-21",
            "received_by": "paper",
            "guardian_name": "Eva Lindqvist",
            "next": "entry",
        },
    )

    assert response["Location"] == reverse("consent:record_entry")
    record = ConsentRecord.objects.get(student=pupil, decision="granted")
    assert (record.recorded_by, record.guardian_name, record.school_year) == (world.clerk, "Eva Lindqvist", 2026)


def test_it_takes_a_student_off_the_list_when_consent_arrives_and_back_on_when_withdrawn(
    client, world, pupil, scopes, today
):
    client.force_login(world.clerk)
    url = reverse("consent:school_do_not_post", args=[world.school.pk])
    record_url = reverse("consent:student", args=[pupil.pk])
    answer = {"scope": scopes["social_media"].pk, "received_on": "2026-11-21", "received_by": "paper"}

    assert "Lindqvist, Ana" in client.get(url).content.decode()
    client.post(record_url, {**answer, "decision": "granted"})
    assert "Lindqvist, Ana" not in client.get(url).content.decode()
    client.post(record_url, {**answer, "decision": "withdrawn"})
    assert "Lindqvist, Ana" in client.get(url).content.decode()


def test_it_finds_students_for_the_clerk_by_name_or_id_within_their_schools(client, world, pupil):
    StudentFactory(school=world.other_school, last_name="Lindqvist-Other")
    client.force_login(world.clerk)

    by_name = client.get(reverse("consent:record_entry"), {"q": "lindq"}, HTTP_HX_REQUEST="true").content.decode()
    by_id = client.get(reverse("consent:record_entry"), {"q": pupil.sis_id}).content.decode()

    assert "Lindqvist" in by_name and "Lindqvist-Other" not in by_name
    assert "<html" not in by_name  # htmx gets the results alone
    assert reverse("consent:student", args=[pupil.pk]) in by_id


def test_it_refuses_a_future_date_on_the_form_and_records_nothing(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:student", args=[pupil.pk]),
        {
            "scope": scopes["social_media"].pk,
            "decision": "granted",
            "received_on": "2026-12-25",
            "received_by": "paper",
        },
    )

    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not ConsentRecord.objects.filter(decision="granted").exists()


def test_it_refuses_another_districts_scope_on_the_form(client, world, pupil):
    foreign_scope = world.other_district.consent_scopes.first()
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:student", args=[pupil.pk]),
        {"scope": foreign_scope.pk, "decision": "granted", "received_on": "2026-11-20", "received_by": "paper"},
    )

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ConsentRecord.objects.filter(scope=foreign_scope).exists()


def test_it_exports_the_list_as_csv_with_formulas_neutralised(client, world, scopes):
    student = StudentFactory(school=world.school, first_name='=HYPERLINK("x")', last_name="Zed")
    ConsentRecordFactory(student=student, scope=scopes["social_media"], decision="refused")
    client.force_login(world.principal)

    response = client.get(reverse("consent:school_export", args=[world.school.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert rows[0][:3] == ["Student id", "Last name", "First name"]
    assert rows[1][2] == '\'=HYPERLINK("x")'


def test_it_prints_one_section_per_program(client, world, pupil):
    for name in ("Band", "Chess"):
        program = ProgramFactory(school=world.school, name=name)
        ProgramMembership.objects.create(program=program, student=pupil)
    client.force_login(world.staff)

    page = client.get(reverse("consent:school_print", args=[world.school.pk])).content.decode()

    assert page.count('class="print-section') == 3  # the whole school, then Band, then Chess
    assert page.index("Band") < page.index("Chess")


def test_it_lists_students_without_an_answer_for_clerks(client, world, scopes, pupil):
    StudentFactory(school=world.school, last_name="Waitingford")
    client.force_login(world.clerk)

    page = client.get(reverse("consent:no_answer", args=[world.school.pk])).content.decode()

    assert "Waitingford" in page and "Lindqvist" not in page
    client.force_login(world.staff)
    assert client.get(reverse("consent:no_answer", args=[world.school.pk])).status_code == 403


# --- Bad input never breaks a page --------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a\x00b"},
        {"scope": "not-a-number"},
        {"scope": "999999999999999999999"},
        {"page": "x"},
        {"page": "-1"},
        {"q": "x" * 5000},
        {"public_arena": "maybe"},
    ],
)
@pytest.mark.parametrize(
    "name", ["consent:school_do_not_post", "consent:no_answer", "consent:school_print", "consent:school_export"]
)
def test_it_answers_odd_parameters_without_an_error(client, world, pupil, params, name):
    client.force_login(world.director)

    response = client.get(reverse(name, args=[world.school.pk]), params)

    assert response.status_code == 200


@pytest.mark.parametrize("params", [{"q": "a\x00b"}, {"q": "x" * 5000}])
@pytest.mark.parametrize("name", ["consent:check", "consent:record_entry"])
def test_it_answers_odd_searches_without_an_error(client, world, pupil, params, name):
    client.force_login(world.clerk)

    assert client.get(reverse(name), params).status_code == 200


def test_it_uses_another_districts_scope_id_as_if_none_was_given(client, world, pupil):
    foreign_scope = world.other_district.consent_scopes.first()
    client.force_login(world.director)

    page = client.get(reverse("consent:school_do_not_post", args=[world.school.pk]), {"scope": foreign_scope.pk})

    assert page.status_code == 200 and "District and school social media" in page.content.decode()


@pytest.mark.parametrize("pk", ["0", "99999999999999999999"])
def test_it_answers_unknown_ids_with_not_found(client, world, pk):
    client.force_login(world.director)

    assert client.get(f"/consent/students/{pk}/").status_code == 404
    assert client.get(f"/consent/schools/{pk}/").status_code == 404


# --- Constant queries -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["school", "print", "export", "no_answer", "program", "account"])
def test_it_costs_the_same_queries_for_30_students_as_for_3000(client, world, scopes, name, django_assert_num_queries):
    team = ProgramFactory(school=world.school, kind="team")
    account = SocialAccountFactory(district=world.district, owner_kind="program", program=team, school=world.school)
    url = {
        "school": reverse("consent:school_do_not_post", args=[world.school.pk]),
        "print": reverse("consent:school_print", args=[world.school.pk]),
        "export": reverse("consent:school_export", args=[world.school.pk]),
        "no_answer": reverse("consent:no_answer", args=[world.school.pk]),
        "program": reverse("consent:program_do_not_post", args=[team.pk]),
        "account": reverse("consent:account_do_not_post", args=[account.pk]),
    }[name]
    client.force_login(world.principal)
    add_students(world.school, 30, program=team, scope=scopes["social_media"])
    small = queries_for(client, url)

    add_students(world.school, 2970, program=team, scope=scopes["social_media"])

    with django_assert_num_queries(small):
        fetch(client, url)


def test_it_costs_the_same_queries_to_check_one_or_fifteen_students(client, world, scopes, django_assert_num_queries):
    StudentFactory(school=world.school, last_name="Samename")
    client.force_login(world.staff)
    small = queries_for(client, reverse("consent:check") + "?q=Samename")
    StudentFactory.create_batch(20, school=world.school, last_name="Samename")

    with django_assert_num_queries(small):
        client.get(reverse("consent:check"), {"q": "Samename"})


def test_it_keeps_roles_that_see_everything_district_wide_to_their_district(client, world, pupil):
    client.force_login(world.foreign_director)

    assert client.get(reverse("consent:check"), {"q": "Lindqvist"}).content.decode().count("Lindqvist") == 1


# --- Minimum necessary ----------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "sees_family"), [("staff", False), ("communications", False), ("clerk", True),
                                                       ("principal", True), ("director", True)])  # fmt: skip
def test_only_those_who_record_answers_read_the_familys_name_and_notes(client, world, scopes, persona, sees_family):
    student = StudentFactory(school=world.school)
    ConsentRecordFactory(
        student=student, scope=scopes["social_media"], decision="refused", guardian_name="Marta Quispe",
        note="Custody order: never post",
    )  # fmt: skip
    client.force_login(world.persona(persona))

    body = client.get(reverse("consent:student", args=[student.pk])).content.decode()

    assert "Refused" in body  # every reader gets the answer
    assert ("Marta Quispe" in body) is sees_family
    assert ("Custody order" in body) is sees_family


def test_a_recorded_answer_naming_the_child_never_travels_in_a_cookie(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:student", args=[pupil.pk]),
        {"scope": scopes["yearbook"].pk, "decision": "granted", "received_on": today.isoformat(),
         "received_by": "paper"},
    )  # fmt: skip

    assert response.status_code == 302
    assert "Lindqvist" not in str(response.cookies)
    assert "messages" not in response.cookies
    assert "Recorded for Ana Lindqvist" in client.get(response["Location"]).content.decode()


def test_the_page_shown_again_after_a_refused_answer_is_logged(client, world, pupil):
    client.force_login(world.clerk)

    response = client.post(reverse("consent:student", args=[pupil.pk]), {})

    assert response.status_code == 200
    assert ListViewLog.objects.filter(kind=ListKind.STUDENT, student=pupil, user=world.clerk).count() == 1
