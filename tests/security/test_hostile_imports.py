"""Hostile files fed to every import (the OneRoster roster and the consent CSV), thousands of them:
never an error page or an escaped exception, never a partial import, every problem at its file, line
and field. Valid rows sit beside the faulty ones, so anything written by mistake shows in the tables.

Formula-looking values (=HYPERLINK(…), +, -, @, tab, CR) are names like any other: a valid file stores
them verbatim (trimmed like every value) and the CSV exports neutralise them (test_export_injection.py).
"""

from __future__ import annotations

import codecs
import datetime
import re
import struct
import tempfile
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import event, given
from hypothesis import strategies as st

from accounts.models import Program, RosterImport, School, Student
from accounts.roster import RosterRejected, RosterReport, import_roster
from consent import importer
from consent.models import ConsentImport, ConsentImportStatus, ConsentRecord
from consent.services import consent_import_apply, consent_import_check, consent_scopes_set_up
from core.csv_reader import MAX_LINE_BYTES, MAX_PROBLEMS, CsvRows, Problem
from tests.accounts.bundles import standard_files, write_bundle
from tests.factories import StudentFactory
from tests.security.strategies import (
    CONSENT_SPEC,
    ROSTER_SPECS,
    TODAY,
    ConsentFile,
    RosterBundle,
    changed_tables,
    consent_files,
    damaged,
    database_state,
    examples,
    roster_bundles,
    standard_zip,
    well_placed,
)

CONSENT_SPECS = {"consent.csv": CONSENT_SPEC}
RECORDABLE = ("N1", "N2", "N3")  # the director records for all of North; S1 is a student next door
UNEXPECTED = "unexpected error"


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def north(world, today):
    """North under written consent with its standard scopes and three students; the south has one."""
    world.district.photo_model = "written_consent"
    world.district.save()
    consent_scopes_set_up(acting_user=None, district=world.district)
    consent_scopes_set_up(acting_user=None, district=world.other_district)
    for sis_id, school in (("N1", world.school), ("N2", world.school), ("N3", world.other_school)):
        StudentFactory(school=school, sis_id=sis_id)
    StudentFactory(school=world.foreign_school, sis_id="S1")
    return world


@pytest.fixture
def baseline(world) -> dict:
    """Every table as the test's fixtures left it; each example rolls back to exactly this."""
    return database_state()


@pytest.fixture
def signed_in(client, world) -> dict:
    """The director signed in (which records the time on the user), then every table as baseline."""
    client.force_login(world.director)
    return database_state()


@pytest.fixture
def signed_in_north(client, north) -> dict:
    client.force_login(north.director)
    return database_state()


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's changes, undone whatever happens, so the next example starts from the same tables."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def check_problems(problems: list[dict], files: dict[str, bytes], specs: dict, expected: list, faults: int) -> None:
    misplaced = [(problem, why) for problem in problems if (why := well_placed(problem, files, specs))]
    assert not misplaced, misplaced
    assert not [p for p in problems if UNEXPECTED in p["message"]], problems
    # One fault alone must be reported where it is; several may hide one another (a file that cannot be
    # read is not checked row by row), and a long list is cut at MAX_PROBLEMS.
    if faults == 1 and len(problems) < MAX_PROBLEMS:
        for where in expected:
            assert any(where.matches(problem) for problem in problems), (where, problems)


# --- The CSV reader both imports share: any bytes at all -------------------------------------------------------


@examples(1200)
@given(
    data=st.binary(max_size=3000)
    | consent_files(students=RECORDABLE).map(lambda f: f.data)
    | st.text(st.sampled_from('ab,;"\r\n\t\x00=é'), max_size=400).map(lambda t: t.encode("utf-8")),
    spec=st.sampled_from([CONSENT_SPEC, ROSTER_SPECS["users.csv"]]),
)
def test_it_reads_any_bytes_into_rows_or_problems_that_name_a_line_and_a_column(data, spec):
    report = RosterReport()

    rows = list(CsvRows(importer._OneFile(data), spec, report, lambda n: None))

    problems = [p.as_dict() for p in report.problems]
    assert not [p for p in problems if well_placed(p, {spec.name: data}, {spec.name: spec})], problems
    for line, row in rows:
        assert set(row) <= set(spec.columns) and set(spec.required) <= set(row)
        assert not any("\x00" in value for value in row.values())  # PostgreSQL text cannot hold it
        assert 2 <= line <= data.count(b"\n") + 1
    assert [line for line, _ in rows] == sorted({line for line, _ in rows})


# --- The roster: the import itself ------------------------------------------------------------------------------


def roster_result(district, path: Path) -> tuple[bool, dict]:
    try:
        return True, import_roster(district, path).as_dict()
    except RosterRejected as rejected:
        return False, rejected.report.as_dict()


def check_planted(world, bundle: RosterBundle) -> None:
    """A valid bundle stores every name as written, formulas included (trimmed like every value)."""
    for (kind, sid), value in bundle.planted.items():
        if kind == "school":
            stored = School.objects.get(district=world.district, roster_sourced_id=sid).name
        elif kind == "student":
            stored = Student.objects.get(district=world.district, roster_sourced_id=sid).first_name
        else:
            stored = Program.objects.get(school__district=world.district, roster_sourced_id=sid).name
        assert stored == value.strip()


@examples(300)
@given(bundle=roster_bundles())
def test_it_imports_a_roster_bundle_whole_or_not_at_all_and_says_where_each_problem_is(world, baseline, bundle):
    with tempfile.TemporaryDirectory() as folder, rolled_back():
        imported, report = roster_result(world.district, bundle.write(Path(folder)))
        event("imported" if imported else f"refused: {bundle.faults} fault(s)")  # --hypothesis-show-statistics

        if bundle.faults:
            assert not imported, bundle.described
        if imported:
            assert report["problem_count"] == 0
            assert Student.objects.filter(district=world.district, active=True).count() == 4
            assert School.objects.filter(district=world.district, roster_sourced_id__isnull=False).count() == 2
            check_planted(world, bundle)
        else:
            assert report["problems"]
            assert changed_tables(baseline, database_state()) == []
            check_problems(report["problems"], bundle.files, ROSTER_SPECS, bundle.expected, bundle.faults)


@examples(200)
@given(data=damaged(standard_zip()))
def test_it_reports_a_damaged_zip_by_its_file_and_changes_nothing(world, baseline, data):
    with tempfile.TemporaryDirectory() as folder, rolled_back():
        path = Path(folder) / "roster.zip"
        path.write_bytes(data)

        imported, report = roster_result(world.district, path)

        if not imported:
            assert report["problems"]
            assert changed_tables(baseline, database_state()) == []
            files = dict.fromkeys(ROSTER_SPECS) | {"roster.zip": data}  # what the damaged zip holds is unknown
            check_problems(report["problems"], files, {**ROSTER_SPECS, "roster.zip": CONSENT_SPEC}, [], 0)


# Each of these stopped an import with an exception the report could not place (found by the properties
# above, minimised): the import was refused only by the catch-all, as "an unexpected error".
@pytest.mark.parametrize(
    ("file", "sid", "column", "value"),
    [
        ("users.csv", "t1", "givenName", "Ada\x00"),  # PostgreSQL text cannot hold NUL: COPY failed
        ("users.csv", "s1", "grades", "\u00b2"),  # "²" is a digit to str.isdigit(), not to int()
        ("users.csv", "s1", "grades", "9" * 5000),  # int() refuses more than 4,300 digits
        ("enrollments.csv", "e1", "sourcedId", "e" * 256),  # longer than the column it is stored in
        ("users.csv", "s4", "sourcedId", "s" * 65),  # a student without identifier is known by its id (64 max)
    ],
)
def test_it_reports_values_the_database_cannot_hold_at_their_line_and_field(world, tmp_path, file, sid, column, value):
    files = standard_files()
    row = next(r for r in files[file] if r["sourcedId"] == sid)
    row[column] = value
    line = 2 + files[file].index(row)

    with pytest.raises(RosterRejected) as rejected:
        import_roster(world.district, write_bundle(tmp_path, files))

    assert [(p.file, p.line, p.field) for p in rejected.value.report.problems] == [(file, line, column)]
    assert not Student.objects.exists()


def test_it_reports_a_zip_member_with_a_bad_checksum_by_its_name(world, tmp_path):
    data = bytearray(write_bundle(tmp_path, as_zip=True).read_bytes())
    start = data.index(b"export/users.csv") + len("export/users.csv")  # the member's compressed data
    data[start + 20] ^= 0xFF
    (tmp_path / "bad.zip").write_bytes(bytes(data))

    with pytest.raises(RosterRejected) as rejected:
        import_roster(world.district, tmp_path / "bad.zip")

    assert [p.file for p in rejected.value.report.problems] == ["users.csv"]
    assert not Student.objects.exists()


def test_it_keeps_each_message_short_when_a_value_is_huge(world, tmp_path):
    files = standard_files()
    for row in files["users.csv"]:
        row["grades"] = "x" * 100_000  # stored: a problem quoting it
        row["dateLastModified"] = "x" * 100_000  # never used: a warning quoting it

    with pytest.raises(RosterRejected) as rejected:
        import_roster(world.district, write_bundle(tmp_path, files))

    report = rejected.value.report
    assert len(report.problems) == len(files["users.csv"])
    assert all(len(p.message) <= 300 and p.field == "grades" for p in report.problems)
    dates = [w for w in report.warnings if w.field == "dateLastModified"]
    assert len(dates) == len(files["users.csv"]) and all(len(w.message) <= 300 for w in dates)


# --- The roster: zip bombs and endless lines, refused before they are read -----------------------------------------


def refused(world, path: Path) -> list[Problem]:
    with pytest.raises(RosterRejected) as rejected:
        import_roster(world.district, path)
    return rejected.value.report.problems


def test_it_refuses_a_zip_whose_files_declare_more_than_the_unpacked_limit(world, baseline, tmp_path):
    data = bytearray(write_bundle(tmp_path, as_zip=True).read_bytes())
    # Two files' entries in the zip's list of files declare 4 GiB each: 8 GiB, over the 4 GiB default.
    for at in [m.start() for m in re.finditer(b"PK\x01\x02", data)][:2]:
        data[at + 24 : at + 28] = struct.pack("<I", 0xFFFF_FFFE)
    (tmp_path / "bomb.zip").write_bytes(bytes(data))

    problems = refused(world, tmp_path / "bomb.zip")

    assert [(p.file, p.line, p.field) for p in problems] == [("bomb.zip", None, None)]
    assert "would unpack to 8,589,9" in problems[0].message
    assert "more than the 4,294,967,296 this system accepts" in problems[0].message
    assert changed_tables(baseline, database_state()) == []


def test_it_refuses_a_zip_file_compressed_like_a_bomb(world, baseline, tmp_path):
    files = standard_files()
    del files["users.csv"]
    path = write_bundle(tmp_path, files, as_zip=True)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as bundle, bundle.open("export/users.csv", "w") as out:
        for _ in range(32):
            out.write(bytes(1 << 20))  # 32 MiB of zeros deflate to 32 KB: about 1,000 times

    problems = refused(world, path)

    assert [(p.file, p.line, p.field) for p in problems] == [("roster.zip", None, None)]
    assert problems[0].message.startswith("export/users.csv would unpack to 1,0")
    assert "times its size in the zip (more than 100" in problems[0].message
    assert changed_tables(baseline, database_state()) == []


def test_it_refuses_a_zip_of_more_files_than_an_export_has(world, baseline, tmp_path):
    path = write_bundle(tmp_path, as_zip=True)
    with zipfile.ZipFile(path, "a") as bundle:
        for n in range(50):
            bundle.writestr(f"export/extra{n}.csv", "a,b\r\n")

    problems = refused(world, path)

    assert [(p.file, p.line, p.field) for p in problems] == [("roster.zip", None, None)]
    assert "more files than a OneRoster export has (at most 50)" in problems[0].message
    assert changed_tables(baseline, database_state()) == []


@pytest.mark.parametrize(("spare", "imported"), [(0, True), (-1, False)])
def test_it_unpacks_a_zip_up_to_the_limit_and_no_further(world, tmp_path, settings, spare, imported):
    path = write_bundle(tmp_path, as_zip=True)
    with zipfile.ZipFile(path) as bundle:
        unpacked = sum(info.file_size for info in bundle.infolist())
    settings.ROSTER_MAX_UNPACKED_BYTES = unpacked + spare

    ok, report = roster_result(world.district, path)

    assert ok is imported
    assert Student.objects.filter(district=world.district).count() == (4 if imported else 0)
    if not imported:
        assert "more than the" in report["problems"][0]["message"]


def test_it_reads_no_line_longer_than_the_limit_and_says_where_it_is(world, baseline, tmp_path):
    path = write_bundle(tmp_path)
    with (path / "users.csv").open("ab") as users:
        for _ in range(32):
            users.write(b"x" * (1 << 20))  # one line of 32 MiB, and more rows after it
        users.write(b"\r\nt9,sch1,teacher,New,Hire\r\n")
    tracemalloc.start()
    try:
        problems = refused(world, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    line = 2 + len(standard_files()["users.csv"])
    assert [(p.file, p.line, p.field) for p in problems] == [("users.csv", line, None)]
    assert problems[0].message.startswith(f"line {line} is longer than {MAX_LINE_BYTES:,} bytes")
    assert peak < 8 * (1 << 20)  # the line is never held whole
    assert changed_tables(baseline, database_state()) == []


# --- The roster: uploaded on the web ---------------------------------------------------------------------------------


def upload_bytes() -> st.SearchStrategy[tuple[str, bytes]]:
    return st.one_of(
        roster_bundles().map(lambda b: ("bundle", b.zip_bytes())),
        damaged(standard_zip()).map(lambda d: ("damaged", d)),
        st.binary(max_size=2000).map(lambda d: ("random", d)),
        st.sampled_from([b"", codecs.BOM_UTF16_LE + "sourcedId".encode("utf-16-le")]).map(lambda d: ("odd", d)),
    )


@examples(100)
@given(upload=upload_bytes(), dry_run=st.booleans())
def test_it_answers_any_roster_upload_with_a_page_listing_each_problem(
    client, world, signed_in, django_capture_on_commit_callbacks, caplog, upload, dry_run
):
    baseline = signed_in
    caplog.clear()  # what the import logged for this example only
    _, data = upload
    form = {"bundle": SimpleUploadedFile("export.zip", data, content_type="application/zip")}
    if dry_run:
        form["dry_run"] = "on"
    with rolled_back():
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("roster_import_list", args=[world.district.slug]), form)

        assert response.status_code in (200, 302)
        if response.status_code == 200:  # refused on the form: not a zip
            errors = response.context["form"].errors["bundle"]
            assert errors and all(escape(error) in response.content.decode() for error in errors)
            assert not RosterImport.objects.exists()
            return
        page = client.get(response["Location"])
        assert page.status_code == 200
        roster_import = RosterImport.objects.get()
        if roster_import.status == "failed":
            text = page.content.decode()
            assert "Nothing was changed" in text
            assert all(escape(problem["message"]) in text for problem in roster_import.report["problems"])
            assert not [p for p in roster_import.report["problems"] if UNEXPECTED in p["message"]], caplog.text
        else:
            assert roster_import.status == "succeeded"
        if roster_import.status == "failed":
            assert changed_tables(baseline, database_state()) == []
        elif dry_run:  # a preview keeps the names it lists, and nothing else
            assert set(changed_tables(baseline, database_state())) <= {"accounts_rosterpreviewrow"}


def test_it_refuses_a_roster_zip_over_the_size_limit_on_the_form(client, world, tmp_path, settings):
    settings.ROSTER_UPLOAD_MAX_BYTES = 1024
    client.force_login(world.director)
    data = write_bundle(tmp_path, as_zip=True).read_bytes() + b"\0" * 2048

    response = client.post(
        reverse("roster_import_list", args=[world.district.slug]), {"bundle": SimpleUploadedFile("big.zip", data)}
    )

    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert not RosterImport.objects.exists()


# --- Consent answers: the check and the confirmation -----------------------------------------------------------


def check_consent_file(world, baseline, file: ConsentFile) -> ConsentImport:
    consent_import = consent_import_check(
        acting_user=world.director, district=world.district, file_name="answers.csv", data=file.data
    )
    event(f"{consent_import.status}: {file.faults} fault(s)")
    if file.faults:
        assert consent_import.status == ConsentImportStatus.REFUSED, file.described
    if consent_import.status == ConsentImportStatus.REFUSED:
        assert consent_import.plan == [] and consent_import.problems
        check_problems(consent_import.problems, {"consent.csv": file.data}, CONSENT_SPECS, file.expected, file.faults)
        with pytest.raises(ValidationError):
            consent_import_apply(acting_user=world.director, consent_import=consent_import)
        assert changed_tables(baseline, database_state()) == []
    else:
        assert consent_import.status == ConsentImportStatus.PREVIEWED
        assert len(consent_import.plan) == len(file.valid_rows)
    return consent_import


@examples(350)
@given(file=consent_files(students=RECORDABLE))
def test_it_records_a_consent_file_whole_or_not_at_all_and_says_where_each_problem_is(north, baseline, file):
    with rolled_back():
        consent_import = check_consent_file(north, baseline, file)

        if consent_import.status == ConsentImportStatus.PREVIEWED:
            recorded = consent_import_apply(acting_user=north.director, consent_import=consent_import)
            assert recorded == ConsentRecord.objects.count() == len(file.valid_rows)
            for row in file.valid_rows:
                record = ConsentRecord.objects.get(student__sis_id=row["sis_id"], scope__kind=row["scope"].lower())
                assert (record.guardian_name, record.note) == (row["guardian"].strip(), row["note"].strip())


@examples(100)
@given(
    upload=consent_files(students=RECORDABLE).map(lambda f: f.data)
    | st.binary(max_size=1500)
    | st.sampled_from([b"", b"sis_id,scope,decision,date\n", codecs.BOM_UTF16_LE + "sis_id".encode("utf-16-le")]),
    name=st.sampled_from(["answers.csv", "a\x00b.csv", "x" * 300 + ".csv", 'quote".csv', "réponses.csv"]),
)
def test_it_answers_any_consent_upload_with_a_page_listing_each_problem(client, north, signed_in_north, upload, name):
    with rolled_back():
        response = client.post(
            reverse("consent:import_upload", args=[north.district.slug]),
            {"file": SimpleUploadedFile(name, upload, content_type="text/csv")},
        )

        assert response.status_code in (200, 302)
        if response.status_code == 200:  # refused on the form (an empty file)
            errors = response.context["form"].errors["file"]
            assert errors and all(escape(error) in response.content.decode() for error in errors)
            assert not ConsentImport.objects.exists()
            return
        page = client.get(response["Location"])
        assert page.status_code == 200
        consent_import = ConsentImport.objects.get()
        applied = client.post(response["Location"])
        assert applied.status_code == 302
        if consent_import.status == ConsentImportStatus.REFUSED:
            text = page.content.decode()
            assert "Nothing was recorded" in text
            assert all(escape(problem["message"]) in text for problem in consent_import.problems)
            assert changed_tables(signed_in_north, database_state()) == []
        else:
            assert ConsentRecord.objects.count() == len(consent_import.plan)


def test_it_reads_a_file_near_the_size_limit_and_records_nothing_for_its_problems(north, baseline):
    row = 'N1,social_media,granted,2026-09-03,=HYPERLINK("https://evil.example"),paper,{}\n'
    body = "".join(row.format("n" * 400) for _ in range(30_000))  # about 14 MB, under the 20 MB limit
    ragged = "N2,yearbook,yes,2026-09-03\n"
    data = ("sis_id,scope,decision,date,guardian,received_as,note\n" + body + ragged).encode()
    assert len(data) < django_settings.CONSENT_UPLOAD_MAX_BYTES

    consent_import = consent_import_check(
        acting_user=north.director, district=north.district, file_name="big.csv", data=data
    )

    # Every row after the first repeats it, and the last one is short of columns.
    assert consent_import.status == ConsentImportStatus.REFUSED
    assert consent_import.problem_count == 29_999 + 1
    assert len(consent_import.problems) == MAX_PROBLEMS
    last = data.count(b"\n")
    assert [(p["line"], p["field"]) for p in consent_import.problems[:3]] == [
        (last, None),
        (3, "sis_id"),
        (4, "sis_id"),
    ]
    assert changed_tables(baseline, database_state()) == []


def test_it_refuses_a_consent_file_over_the_size_limit_on_the_form(client, north, settings):
    settings.CONSENT_UPLOAD_MAX_BYTES = 100
    client.force_login(north.director)

    response = client.post(
        reverse("consent:import_upload", args=[north.district.slug]),
        {"file": SimpleUploadedFile("a.csv", b"sis_id,scope,decision,date\n" + b"N1,yearbook,yes,2026-09-03\n" * 9)},
    )

    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert not ConsentImport.objects.exists()


def test_it_reports_a_nul_in_a_student_id_at_its_line_and_field(north):
    data = b"sis_id,scope,decision,date\nN1,yearbook,yes,2026-09-03\nN\x002,yearbook,yes,2026-09-03\n"

    consent_import = consent_import_check(
        acting_user=north.director, district=north.district, file_name="a.csv", data=data
    )

    assert [(p["line"], p["field"]) for p in consent_import.problems] == [(3, "sis_id")]
    assert consent_import.status == ConsentImportStatus.REFUSED
