"""Importing a CSV file of families' answers: checked first, applied only on confirmation."""

from __future__ import annotations

import codecs
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import District, Student, User
from consent.importer import PlannedRow
from consent.models import ConsentImport, ConsentImportStatus, ConsentRecord, ScopeKind
from consent.services import ImportOutOfDate, consent_import_apply, consent_import_check
from tests.factories import ConsentRecordFactory, StudentFactory

HEADER = "sis_id,scope,decision,date,guardian,received_as"
# N1 and N2 go to world.school (the clerk's), N3 to world.other_school, S1 to the district next door.
GOOD_ROW = "N1,social_media,granted,2026-09-03,A. Parent,"


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode() + b"\n"


@pytest.fixture
def pupils(world, scopes, today) -> dict[str, Student]:
    return {
        "N1": StudentFactory(school=world.school, sis_id="N1"),
        "N2": StudentFactory(school=world.school, sis_id="N2"),
        "N3": StudentFactory(school=world.other_school, sis_id="N3"),
        "S1": StudentFactory(school=world.foreign_school, sis_id="S1"),
    }


def check(user: User, data: bytes, district: District) -> ConsentImport:
    return consent_import_check(acting_user=user, district=district, file_name="answers.csv", data=data)


def where(consent_import: ConsentImport) -> list[tuple[int | None, str | None]]:
    return [(problem["line"], problem["field"]) for problem in consent_import.problems]


def test_it_previews_a_good_file_with_what_each_row_would_do_and_records_nothing(world, scopes, pupils):
    n1, n2 = pupils["N1"], pupils["N2"]
    ConsentRecordFactory(
        student=n1, scope=scopes["social_media"], decision="granted", received_on=datetime.date(2026, 9, 3)
    )
    ConsentRecordFactory(
        student=n1, scope=scopes["website"], decision="granted", received_on=datetime.date(2026, 10, 5)
    )
    ConsentRecordFactory(
        student=n2, scope=scopes["news_media"], decision="granted", received_on=datetime.date(2026, 9, 3)
    )
    data = csv_file(
        "N1,social_media,refused,2026-10-01,A. Parent,",
        "N2,Yearbook,granted,9/3/2026,B. Parent,",
        "N1,website,withdrawn,2026-09-15,A. Parent,",
        "N2,news_media,granted,2026-10-10,B. Parent,",
    )

    consent_import = check(world.clerk, data, world.district)

    assert consent_import.status == ConsentImportStatus.PREVIEWED
    assert (consent_import.rows_read, consent_import.problem_count, consent_import.problems) == (4, 0, [])
    assert [
        (
            row["line"],
            row["student_id"],
            row["scope_id"],
            row["decision"],
            row["before"],
            PlannedRow.from_dict(row).effect,
        )
        for row in consent_import.plan
    ] == [
        (2, n1.pk, scopes["social_media"].pk, "refused", "granted", "changes the current answer"),
        (3, n2.pk, scopes["yearbook"].pk, "granted", None, "first answer"),
        (4, n1.pk, scopes["website"].pk, "withdrawn", "granted", "older than the answer on file: kept for the record"),
        (5, n2.pk, scopes["news_media"].pk, "granted", "granted", "confirms the current answer"),
    ]
    assert ConsentRecord.objects.count() == 3


def test_it_records_each_row_once_when_applied(world, scopes, pupils):
    data = csv_file(
        "N1,social_media,granted,2026-09-03,A. Parent,",
        "N2,yearbook,refused,2026-09-04,B. Parent,Paper form",
    )
    consent_import = check(world.clerk, data, world.district)

    recorded = consent_import_apply(acting_user=world.clerk, consent_import=consent_import)

    assert recorded == 2
    records = ConsentRecord.objects.order_by("received_on")
    assert [
        (r.student, r.scope, r.decision, r.received_on, r.school_year, r.received_by, r.guardian_name, r.recorded_by)
        for r in records
    ] == [
        (
            pupils["N1"],
            scopes["social_media"],
            "granted",
            datetime.date(2026, 9, 3),
            2026,
            "sis_import",
            "A. Parent",
            world.clerk,
        ),
        (
            pupils["N2"],
            scopes["yearbook"],
            "refused",
            datetime.date(2026, 9, 4),
            2026,
            "paper",
            "B. Parent",
            world.clerk,
        ),
    ]
    assert {record.source_import_id for record in records} == {consent_import.pk}
    consent_import.refresh_from_db()
    assert consent_import.status == ConsentImportStatus.APPLIED
    assert consent_import.applied_at is not None


def test_it_records_nothing_new_when_the_same_file_is_uploaded_again(world, pupils):
    data = csv_file(GOOD_ROW, "N2,yearbook,refused,2026-09-04,B. Parent,")
    consent_import_apply(acting_user=world.clerk, consent_import=check(world.clerk, data, world.district))

    again = check(world.clerk, data, world.district)

    assert again.status == ConsentImportStatus.PREVIEWED
    assert [PlannedRow.from_dict(row).effect for row in again.plan] == ["already on file", "already on file"]
    assert consent_import_apply(acting_user=world.clerk, consent_import=again) == 0
    assert ConsentRecord.objects.count() == 2
    assert not ConsentRecord.objects.filter(source_import=again).exists()


BAD_FILES = [
    pytest.param(csv_file("N9,social_media,granted,2026-09-03,,"), (2, "sis_id"), id="unknown-sis-id"),
    pytest.param(csv_file("S1,social_media,granted,2026-09-03,,"), (2, "sis_id"), id="student-of-another-district"),
    pytest.param(csv_file("N3,social_media,granted,2026-09-03,,"), (2, "sis_id"), id="student-of-another-school"),
    pytest.param(csv_file("N1,Billboards,granted,2026-09-03,,"), (2, "scope"), id="unknown-scope"),
    pytest.param(csv_file("N1,social_media,maybe,2026-09-03,,"), (2, "decision"), id="bad-decision-word"),
    pytest.param(csv_file("N1,social_media,,2026-09-03,,"), (2, "decision"), id="missing-decision"),
    pytest.param(csv_file("N1,social_media,granted,2026-02-30,,"), (2, "date"), id="bad-date"),
    pytest.param(csv_file("N1,social_media,granted,03.09.2026,,"), (2, "date"), id="unknown-date-format"),
    pytest.param(csv_file("N1,social_media,granted,2026-11-22,,"), (2, "date"), id="future-date"),
    pytest.param(csv_file("N1,social_media,granted,2005-09-03,,"), (2, "date"), id="date-decades-back"),
    pytest.param(csv_file(f"N1,social_media,granted,2026-09-03,{'x' * 201},"), (2, "guardian"), id="long-guardian"),
    pytest.param(csv_file("N1,social_media,granted,2026-09-03,,pigeon"), (2, "received_as"), id="bad-received-as"),
    pytest.param(
        csv_file(GOOD_ROW, "N1,District and school social media,refused,2026-09-04,,"),
        (3, "sis_id"),
        id="same-student-and-scope-twice",
    ),
    pytest.param(
        csv_file("N1,social_media,granted,,", header="sis_id,scope,decision,guardian,received_as"),
        (1, "date"),
        id="missing-required-column",
    ),
    pytest.param(csv_file("N1,social_media,granted,2026-09-03,A. Par\x00ent,"), (2, "guardian"), id="nul-byte"),
    pytest.param(csv_file(GOOD_ROW).replace(b"A. Parent", "Renée".encode("latin-1")), (2, None), id="not-utf-8"),
    pytest.param(csv_file("N1,social_media"), (2, None), id="short-row"),
    pytest.param(b"", (1, None), id="empty-file"),
    pytest.param(csv_file(), (None, None), id="header-only"),
]


@pytest.mark.parametrize(("data", "problem_at"), BAD_FILES)
def test_it_refuses_a_bad_file_naming_line_and_field_and_records_nothing(world, pupils, data, problem_at):
    consent_import = check(world.clerk, data, world.district)

    assert problem_at in where(consent_import)
    assert consent_import.status == ConsentImportStatus.REFUSED
    assert consent_import.problem_count == len(consent_import.problems) >= 1
    assert consent_import.plan == []
    assert not ConsentRecord.objects.exists()


def test_it_reads_a_spreadsheets_csv_utf_8_with_its_byte_order_mark_and_windows_line_ends(world, pupils):
    data = codecs.BOM_UTF8 + csv_file(GOOD_ROW.replace("A. Parent", "Renée Parent")).replace(b"\n", b"\r\n")

    consent_import = check(world.clerk, data, world.district)

    assert consent_import.status == ConsentImportStatus.PREVIEWED
    assert [row["guardian"] for row in consent_import.plan] == ["Renée Parent"]


def test_it_refuses_the_whole_file_for_one_bad_row_among_good_ones(world, pupils):
    data = csv_file(GOOD_ROW, "N2,social_media,maybe,2026-09-03,,", "N2,yearbook,granted,2026-09-03,,")

    consent_import = check(world.clerk, data, world.district)

    assert consent_import.status == ConsentImportStatus.REFUSED
    assert (consent_import.rows_read, where(consent_import)) == (3, [(3, "decision")])
    with pytest.raises(ValidationError):
        consent_import_apply(acting_user=world.clerk, consent_import=consent_import)
    assert not ConsentRecord.objects.exists()


def test_it_does_not_reveal_that_a_student_exists_elsewhere(world, pupils):
    data = csv_file(
        "N9,social_media,granted,2026-09-03,,",
        "S1,social_media,granted,2026-09-03,,",
        "N3,social_media,granted,2026-09-03,,",
    )

    consent_import = check(world.clerk, data, world.district)

    messages = [problem["message"] for problem in consent_import.problems]
    # The same words as for an id nobody has, the id aside.
    assert [message.replace(sis_id, "…") for message, sis_id in zip(messages, ("N9", "S1", "N3"), strict=True)] == [
        "no student with id “…” at a school you record for"
    ] * 3


def test_it_records_nothing_when_answers_changed_between_check_and_apply(world, scopes, pupils):
    consent_import = check(world.clerk, csv_file(GOOD_ROW), world.district)
    ConsentRecordFactory(
        student=pupils["N1"],
        scope=scopes["social_media"],
        decision="withdrawn",
        received_on=datetime.date(2026, 11, 20),
    )

    with pytest.raises(ImportOutOfDate):
        consent_import_apply(acting_user=world.clerk, consent_import=consent_import)

    consent_import.refresh_from_db()
    assert consent_import.status == ConsentImportStatus.SUPERSEDED
    assert ConsentRecord.objects.count() == 1
    assert not ConsentRecord.objects.filter(source_import=consent_import).exists()


def test_it_refuses_to_apply_a_file_twice(world, pupils):
    consent_import = check(world.clerk, csv_file(GOOD_ROW), world.district)
    consent_import_apply(acting_user=world.clerk, consent_import=consent_import)

    with pytest.raises(ValidationError):
        consent_import_apply(acting_user=world.clerk, consent_import=consent_import)

    assert ConsentRecord.objects.count() == 1


def test_it_does_not_let_a_staff_member_upload(world, pupils):
    with pytest.raises(PermissionDenied):
        check(world.staff, csv_file(GOOD_ROW), world.district)

    assert not ConsentImport.objects.exists()


def test_it_does_not_let_a_clerk_upload_for_another_district(world, pupils):
    with pytest.raises(PermissionDenied):
        check(world.clerk, csv_file("S1,social_media,granted,2026-09-03,,"), world.other_district)

    assert not ConsentImport.objects.exists()


def test_it_lets_a_clerk_import_for_their_own_school_only(world, pupils):
    other_school_row = csv_file("N3,yearbook,refused,2026-09-03,,")

    assert check(world.clerk, csv_file(GOOD_ROW), world.district).status == ConsentImportStatus.PREVIEWED
    assert check(world.clerk, other_school_row, world.district).status == ConsentImportStatus.REFUSED
    # The same row is fine from someone who records for that school.
    assert check(world.other_principal, other_school_row, world.district).status == ConsentImportStatus.PREVIEWED


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("social_media", ScopeKind.SOCIAL_MEDIA),
        ("District and school social media", ScopeKind.SOCIAL_MEDIA),
        ("DISTRICT WEBSITE AND NEWSLETTERS", ScopeKind.WEBSITE),
        ("website", ScopeKind.WEBSITE),
        ("yearbook", ScopeKind.YEARBOOK),
        ("News Media", ScopeKind.NEWS_MEDIA),
        ("news_media", ScopeKind.NEWS_MEDIA),
    ],
)
def test_it_matches_scopes_by_name_or_kind(world, scopes, pupils, written, kind):
    consent_import = check(world.clerk, csv_file(f"N1,{written},granted,2026-09-03,,"), world.district)

    # The district next door has scopes of the same names; only the uploader's district's count.
    assert [row["scope_id"] for row in consent_import.plan] == [scopes[kind].pk]


@pytest.mark.parametrize(
    ("word", "decision"),
    [
        ("granted", "granted"),
        ("Granted", "granted"),
        ("grant", "granted"),
        ("yes", "granted"),
        ("consent", "granted"),
        ("refused", "refused"),
        ("refuse", "refused"),
        ("no", "refused"),
        ("opt out", "refused"),
        ("Opt-Out", "refused"),
        ("opted out", "refused"),
        ("withdrawn", "withdrawn"),
        ("WITHDRAW", "withdrawn"),
    ],
)
def test_it_reads_decision_words(world, pupils, word, decision):
    consent_import = check(world.clerk, csv_file(f"N1,social_media,{word},2026-09-03,,"), world.district)

    assert [row["decision"] for row in consent_import.plan] == [decision]


@pytest.mark.parametrize(
    ("written", "received_on", "school_year"),
    [
        ("2026-09-03", "2026-09-03", 2026),
        ("9/3/2026", "2026-09-03", 2026),
        ("09/03/2026", "2026-09-03", 2026),
        ("9/3/26", "2026-09-03", 2026),
        ("3/2/2026", "2026-03-02", 2025),  # before July: the 2025–26 school year
    ],
)
def test_it_reads_dates_and_the_school_year_they_fall_in(world, pupils, written, received_on, school_year):
    consent_import = check(world.clerk, csv_file(f"N1,social_media,granted,{written},,"), world.district)

    assert [(row["received_on"], row["school_year"]) for row in consent_import.plan] == [(received_on, school_year)]
