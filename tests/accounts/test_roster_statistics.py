"""A second import must not stall: the tables a large import wrote get fresh statistics inside the
import, whether autovacuum runs or not (it is off here, as on CI machines), and the history step
costs what changed, not the size of the district. PostgreSQL only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from accounts.models import Student, User
from accounts.roster import import_roster
from tests.accounts.bundles import org, user, write_bundle
from tests.factories import DistrictFactory

# serialized_rollback: the rows the migrations add (platforms, content types) survive the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TODAY = datetime.date(2026, 9, 1)
STUDENTS = 3_000
TABLES = ("accounts_user", "accounts_student", "accounts_membership", "accounts_guardian", "accounts_studentguardian")


@pytest.fixture(autouse=True)
def postgres_without_autovacuum():
    if connection.vendor != "postgresql":
        pytest.skip("statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
    yield
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")


def big_bundle(path, surname: str = "Student"):
    users = [user(f"t{n}", f"Teacher{n}", "Staff", identifier=f"E{n}") for n in range(50)]
    users += [
        user(f"s{n}", f"Kid{n}", surname, role="student", identifier=f"{n:06d}", grades="05") for n in range(STUDENTS)
    ]
    orgs = [org("d1", "North District", "district"), org("sch1", "North High", identifier="101")]
    return write_bundle(path, {"orgs.csv": orgs, "users.csv": users})


def estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


def test_a_large_first_import_leaves_true_statistics_without_autovacuum(tmp_path):
    district = DistrictFactory(slug="north")

    report = import_roster(district, big_bundle(tmp_path), today=TODAY)

    assert "accounts_student" in report.analyzed
    assert "accounts_user" not in report.analyzed  # 50 staff: too few to matter
    assert estimated_rows("accounts_student") == pytest.approx(STUDENTS, rel=0.05)


def test_rows_loaded_by_other_means_are_analyzed_before_the_import_plans_on_them(tmp_path):
    district = DistrictFactory(slug="north")
    import_roster(district, big_bundle(tmp_path / "a"), today=TODAY)
    with connection.cursor() as cursor:  # a bulk load straight into the table, as a restore or a script does
        cursor.execute(
            """INSERT INTO accounts_student (district_id, school_id, sis_id, first_name, last_name, grade, active)
               SELECT %s, (SELECT id FROM accounts_school WHERE district_id = %s LIMIT 1), 'x' || n, 'A', 'B', '05',
                      FALSE FROM generate_series(1, 20000) n""",
            [district.pk, district.pk],
        )
        cursor.execute("SELECT pg_stat_force_next_flush()")
    connection.close()  # the session ends: its counts reach pg_stat_user_tables

    report = import_roster(district, big_bundle(tmp_path / "b"), today=TODAY)

    assert "accounts_student" in report.analyzed
    assert estimated_rows("accounts_student") == pytest.approx(STUDENTS + 20_000, rel=0.05)


def test_an_unchanged_reimport_writes_no_history_and_a_change_writes_one_row(tmp_path):
    district = DistrictFactory(slug="north")
    import_roster(district, big_bundle(tmp_path / "a"), today=TODAY)
    history = User.history.count()

    again = import_roster(district, big_bundle(tmp_path / "a"), today=TODAY)
    assert User.history.count() == history
    assert again.analyzed == []  # nothing changed: nothing to analyze

    path = big_bundle(tmp_path / "b")
    users = (path / "users.csv").read_text().replace("Teacher7,Staff", "Teacher7,Renamed")
    (path / "users.csv").write_text(users)
    import_roster(district, path, today=TODAY)

    assert User.history.count() == history + 1
    assert User.history.latest().last_name == "Renamed"
    assert Student.objects.filter(district=district).count() == STUDENTS
