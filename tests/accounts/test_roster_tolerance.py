"""Real exports are messier than the spec: what the product does not use never refuses a bundle (it
may warn), what it stores or decides on is checked as strictly as ever."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Student
from accounts.roster import RosterRejected, import_roster
from tests.accounts.bundles import manifest, standard_files, write_bundle
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 9, 1)


@pytest.fixture
def district(db):
    return DistrictFactory(slug="north", name="North District")


def test_it_reads_an_empty_manifest_value_as_an_absent_file(district, tmp_path):
    raw = manifest("1.2").replace("file.results,bulk", "file.results,").replace("file.scoreScales", "")
    raw += "file.scoreScales,\r\nfile.lineItemScoreScales,\r\n"
    files = standard_files()
    users = [{k: v for k, v in u.items() if k not in ("role", "orgSourcedIds")} for u in files["users.csv"]]
    roles = [
        {"sourcedId": f"r{n}", "status": "active", "userSourcedId": u["sourcedId"], "roleType": "primary",
         "role": u["role"], "orgSourcedId": u["orgSourcedIds"].split(",")[0]}
        for n, u in enumerate(files["users.csv"])
    ]  # fmt: skip
    path = write_bundle(
        tmp_path,
        {"orgs.csv": files["orgs.csv"], "users.csv": users, "roles.csv": roles},
        version="1.2",
        raw={"manifest.csv": raw},
    )

    report = import_roster(district, path, today=TODAY)

    assert report.ok and report.counts["students"]["created"] == 4


def test_it_ignores_trailing_empty_header_columns_with_or_without_trailing_cells(district, tmp_path):
    path = write_bundle(tmp_path)
    lines = (path / "users.csv").read_text().splitlines()
    rows = [lines[0] + ",,"] + [line + (",," if n % 2 else "") for n, line in enumerate(lines[1:])]
    (path / "users.csv").write_text("\r\n".join(rows) + "\r\n")
    orgs = (path / "orgs.csv").read_text().splitlines()
    (path / "orgs.csv").write_text("\r\n".join([orgs[0] + ",", *orgs[1:]]) + "\r\n")

    report = import_roster(district, path, today=TODAY)

    assert report.ok and report.counts["staff"]["created"] == 3


def test_a_value_under_an_unnamed_trailing_column_is_still_a_ragged_row(district, tmp_path):
    path = write_bundle(tmp_path)
    lines = (path / "users.csv").read_text().splitlines()
    lines[0] += ","
    lines[1] += ",surprise"
    lines[2] += ",surprise,again"
    (path / "users.csv").write_text("\r\n".join(lines) + "\r\n")

    with pytest.raises(RosterRejected) as rejected:
        import_roster(district, path, today=TODAY)

    assert [(p.file, p.line) for p in rejected.value.report.problems] == [("users.csv", 2), ("users.csv", 3)]
    assert not Student.objects.exists()


@pytest.mark.parametrize(
    ("file", "index", "column", "value"),
    [
        ("users.csv", 0, "dateLastModified", "08/01/2026 10:00"),
        ("orgs.csv", 1, "dateLastModified", "last Tuesday"),
        ("enrollments.csv", 0, "beginDate", "2026-13-45"),
    ],
)
def test_an_unreadable_date_the_product_never_uses_is_a_warning_not_a_refusal(
    district, tmp_path, file, index, column, value
):
    files = standard_files()
    files[file][index][column] = value

    report = import_roster(district, write_bundle(tmp_path, files), today=TODAY)

    assert report.ok
    assert report.counts["students"]["created"] == 4
    dates = [w for w in report.warnings if w.field == column]
    assert [(w.file, w.line, w.field) for w in dates] == [(file, index + 2, column)]
    assert value in dates[0].message
    assert {w["field"] for w in report.as_dict()["warnings"]} == {column, "agentSourcedIds"}  # and Pat's


@pytest.mark.parametrize(
    ("column", "value"),
    [("grades", "purple"), ("email", "not-an-address"), ("status", "maybe"), ("givenName", "")],
)
def test_what_the_product_stores_or_decides_on_is_still_checked(district, tmp_path, column, value):
    files = standard_files()
    files["users.csv"][3][column] = value

    with pytest.raises(RosterRejected) as rejected:
        import_roster(district, write_bundle(tmp_path, files), today=TODAY)

    assert ("users.csv", 5, column) in [(p.file, p.line, p.field) for p in rejected.value.report.problems]
    assert not Student.objects.exists()
