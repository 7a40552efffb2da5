"""Benchmark: import a OneRoster bundle the size of the largest US district into PostgreSQL.

Run by `make bench` (never by a normal test run). The district: 1,870 schools, 150,000 staff,
1,060,000 students and one guardian per student. Prints, in one run: the first import, a re-import
of the unchanged bundle straight after it (target: at most half the first), PostgreSQL's own COPY of
the same rows into bare tables (target: the import within 10x), the floor the schema sets (a plain
INSERT … SELECT of the same people into tables shaped like ours, with their indexes and keys; target:
the import within 1.5x of COPY plus that floor), each import's peak memory (under 300 MB), and a REST
pull of the same roster from a local OneRoster server, paged, in records per second. Autovacuum is
off on the tables the import writes, as on CI machines: nothing may depend on it.
BENCH_SCALE=0.1 runs a tenth of the size.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import District, Guardian, Student, User
from tests.accounts.bundles import ORG_HEADER, USER_HEADER_11, manifest

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SCHOOLS = max(2, int(1_870 * SCALE))
STAFF = int(150_000 * SCALE)
STUDENTS = int(1_060_000 * SCALE)
GUARDIANS = STUDENTS  # one per student
TARGET_TABLES = (
    "accounts_user",
    "accounts_student",
    "accounts_membership",
    "accounts_guardian",
    "accounts_studentguardian",
    "accounts_historicaluser",
    "accounts_historicalmembership",
    "accounts_historicalguardian",
    "accounts_historicalstudentguardian",
)
GRADES = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]
ROOT = Path(__file__).resolve().parents[2]


def generate_bundle(folder: Path) -> int:
    """Write the bundle; returns the number of data rows."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.csv").write_text(manifest("1.1"))
    with (folder / "orgs.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ORG_HEADER)
        writer.writerow(["district-1", "active", "2026-08-01T00:00:00Z", "Bench District", "district", "", ""])
        for n in range(SCHOOLS):
            writer.writerow(
                [f"school-{n}", "active", "2026-08-01T00:00:00Z", f"School {n}", "school", f"{n}", "district-1"]
            )
    with (folder / "users.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(USER_HEADER_11)
        for n in range(STAFF):
            school = f"school-{n % SCHOOLS}"
            orgs = school if n % 10 else f"{school},school-{(n + 1) % SCHOOLS}"
            writer.writerow(
                [
                    f"staff-{n}",
                    "active",
                    "2026-08-01T00:00:00Z",
                    "true",
                    orgs,
                    "teacher",
                    f"t{n}",
                    "",
                    f"Given{n}",
                    f"Family{n}",
                    "",
                    f"E{n:07d}",
                    f"staff{n}@bench.example.org",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        for n in range(STUDENTS):
            writer.writerow(
                [
                    f"student-{n}",
                    "active",
                    "2026-08-01T00:00:00Z",
                    "true",
                    f"school-{n % SCHOOLS}",
                    "student",
                    f"s{n}",
                    "",
                    f"Kid{n}",
                    f"Surname{n % 5000}",
                    "",
                    f"{n:08d}",
                    "",
                    "",
                    "",
                    "",
                    GRADES[n % 13],
                    "",
                ]
            )
        for n in range(GUARDIANS):
            writer.writerow(
                [f"guardian-{n}", "active", "2026-08-01T00:00:00Z", "true", "", "parent", "", "",
                 f"Parent{n}", f"Surname{n % 5000}", "", "", f"parent{n}@home.example.org", "",
                 "+1 555 0100", f"student-{n}", "", ""]
            )  # fmt: skip
    return 1 + SCHOOLS + STAFF + STUDENTS + GUARDIANS


def run_import(bundle: Path, database_url: str) -> tuple[float, float, str]:
    """Import in a child process; returns (seconds, peak resident MB, output)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "true"}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_roster", str(bundle), "--district", "bench", "--no-progress"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    assert os.waitstatus_to_exitcode(status) == 0, output
    return seconds, usage.ru_maxrss / 1024, output


def copy_baseline(bundle: Path, keep: bool = False) -> float:
    """PostgreSQL's COPY of the same files into bare tables of text columns."""
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for name, header in (("orgs.csv", ORG_HEADER), ("users.csv", USER_HEADER_11)):
            table = "bench_" + name.removesuffix(".csv")
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE UNLOGGED TABLE {table} ({', '.join(f'c{i} text' for i in range(len(header)))})")
            copy_sql = f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.copy(copy_sql) as copy, (bundle / name).open("rb") as source:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        for table in ("bench_orgs", "bench_users") if not keep else ():
            cursor.execute(f"DROP TABLE {table}")
    return seconds


def schema_floor(bundle: Path) -> tuple[float, float]:
    """(COPY into bare text tables, then INSERT … SELECT of the same people into tables shaped like ours):
    the second is what writing these rows costs with our indexes and keys, whatever the importer does."""
    copy_seconds = copy_baseline(bundle, keep=True)
    with connection.cursor() as cursor:
        for table in ("accounts_user", "accounts_student", "accounts_guardian", "accounts_studentguardian",
                      "accounts_membership"):  # fmt: skip
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
            cursor.execute(f"CREATE UNLOGGED TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        # users: c0 sourcedId, c4 orgs, c5 role, c8 given, c9 family, c11 identifier, c12 email, c15 agents, c16 grade
        cursor.execute(
            """INSERT INTO floor_accounts_user (password, is_superuser, email, first_name, last_name, district_id,
                   employee_id, job_title, roster_sourced_id, is_active, is_staff, date_joined)
               SELECT '!', FALSE, c12, c8, c9, 1, c11, '', c0, TRUE, FALSE, now()
               FROM bench_users WHERE c5 = 'teacher'"""
        )
        cursor.execute(
            """INSERT INTO floor_accounts_student (district_id, school_id, sis_id, roster_sourced_id, first_name,
                   last_name, grade, active)
               SELECT 1, 1, c11, c0, c8, c9, c16, TRUE FROM bench_users WHERE c5 = 'student'"""
        )
        cursor.execute(
            """INSERT INTO floor_accounts_guardian (district_id, roster_sourced_id, first_name, last_name, email, phone,
                   preferred_language, active)
               SELECT 1, c0, c8, c9, c12, c14, '', TRUE FROM bench_users WHERE c5 = 'parent'"""
        )
        cursor.execute(
            """INSERT INTO floor_accounts_studentguardian (student_id, guardian_id, relationship)
               SELECT s.id, g.id, 'parent' FROM floor_accounts_guardian g
               JOIN bench_users u ON u.c0 = g.roster_sourced_id
               JOIN floor_accounts_student s ON s.roster_sourced_id = u.c15"""
        )
        cursor.execute(
            """INSERT INTO floor_accounts_membership (user_id, district_id, school_id, role, source, started_on)
               SELECT id, 1, 1, 'staff', 'roster', now() FROM floor_accounts_user"""
        )
        floor_seconds = time.perf_counter() - started
        for table in ("accounts_user", "accounts_student", "accounts_guardian", "accounts_studentguardian",
                      "accounts_membership"):  # fmt: skip
            cursor.execute(f"DROP TABLE floor_{table}")
        for table in ("bench_orgs", "bench_users"):
            cursor.execute(f"DROP TABLE {table}")
    return copy_seconds, floor_seconds


def _serve_roster(port_queue: multiprocessing.Queue) -> None:
    """The local OneRoster server for the pull benchmark, in a process of its own (not this one's GIL)."""
    from tests.oneroster_server import OneRosterServer

    def orgs(offset: int, limit: int) -> tuple[list[dict], int]:
        records = [{"sourcedId": "district-1", "status": "active", "name": "Bench District", "type": "district"}]
        records += [{"sourcedId": f"school-{n}", "status": "active", "name": f"School {n}", "type": "school",
                     "identifier": str(n), "parent": {"sourcedId": "district-1"}} for n in range(SCHOOLS)]  # fmt: skip
        return records[offset : offset + limit], len(records)

    def users(offset: int, limit: int) -> tuple[list[dict], int]:
        total = STAFF + STUDENTS + GUARDIANS
        page = []
        for n in range(offset, min(offset + limit, total)):
            if n < STAFF:
                page.append({"sourcedId": f"staff-{n}", "status": "active", "role": "teacher", "givenName": f"Given{n}",
                             "familyName": f"Family{n}", "email": f"staff{n}@bench.example.org",
                             "identifier": f"E{n:07d}", "orgs": [{"sourcedId": f"school-{n % SCHOOLS}"}]})  # fmt: skip
            elif n < STAFF + STUDENTS:
                k = n - STAFF
                page.append({"sourcedId": f"student-{k}", "status": "active", "role": "student", "givenName": f"Kid{k}",
                             "familyName": f"Surname{k % 5000}", "identifier": f"{k:08d}", "grades": [GRADES[k % 13]],
                             "orgs": [{"sourcedId": f"school-{k % SCHOOLS}"}]})  # fmt: skip
            else:
                k = n - STAFF - STUDENTS
                page.append({"sourcedId": f"guardian-{k}", "status": "active", "role": "parent",
                             "givenName": f"Parent{k}", "familyName": f"Surname{k % 5000}",
                             "email": f"parent{k}@home.example.org",
                             "agents": [{"sourcedId": f"student-{k}"}]})  # fmt: skip
        return page, total

    server = OneRosterServer(collections={"orgs": orgs, "users": users, "classes": [], "enrollments": []})
    server.start()
    port_queue.put(server.port)
    server.thread.join()


def rest_pull(tmp_path: Path) -> tuple[float, int]:
    """Pull the same roster from a local OneRoster server (1,000 records a page); returns (seconds, records)."""
    from django.test import override_settings

    from accounts.sync import oneroster_api
    from tests.oneroster_server import CLIENT_ID, CLIENT_SECRET, PREFIX

    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.get_context("fork").Process(target=_serve_roster, args=(ports,), daemon=True)
    server.start()
    try:
        port = ports.get(timeout=30)
        api = oneroster_api.ApiSettings(
            base_url=f"http://127.0.0.1:{port}{PREFIX}",
            token_url=f"http://127.0.0.1:{port}/token",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            version="1.1",
        )
        with override_settings(
            ROSTER_API_ALLOW_HTTP=True, ROSTER_API_ALLOW_PRIVATE_ADDRESSES=True, ROSTER_API_PAGE_SIZE=1000
        ):
            started = time.perf_counter()
            records = oneroster_api.pull(api, tmp_path / "pulled.zip")
            return time.perf_counter() - started, records
    finally:
        server.terminate()
        server.join(10)


def bench_district() -> str:
    """The empty "bench" district the imports fill, autovacuum off on the tables they write; returns
    the test database's URL for the import's own process."""
    assert connection.vendor == "postgresql", "make bench needs PostgreSQL (DATABASE_URL)"
    District.objects.create(slug="bench", name="Bench District")
    with connection.cursor() as cursor:  # as on CI machines: nothing may depend on autovacuum
        for table in TARGET_TABLES:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
    database = settings.DATABASES["default"]
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def test_bench_roster_import_at_the_largest_district(tmp_path):
    database_url = bench_district()

    started = time.perf_counter()
    rows = generate_bundle(tmp_path / "bundle")
    generated = time.perf_counter() - started
    size_mb = sum(p.stat().st_size for p in (tmp_path / "bundle").iterdir()) / 1e6

    seconds, peak_mb, output = run_import(tmp_path / "bundle", database_url)
    again_seconds, again_peak_mb, again_output = run_import(tmp_path / "bundle", database_url)
    copy_seconds, floor_seconds = schema_floor(tmp_path / "bundle")
    pull_seconds, pulled = rest_pull(tmp_path)

    assert User.objects.filter(district__slug="bench").count() == STAFF
    assert Student.objects.filter(district__slug="bench").count() == STUDENTS
    assert Guardian.objects.filter(district__slug="bench").count() == GUARDIANS
    assert pulled == 1 + SCHOOLS + STAFF + STUDENTS + GUARDIANS
    ratio = seconds / copy_seconds
    floor_ratio = seconds / (copy_seconds + floor_seconds)
    peak = max(peak_mb, again_peak_mb)
    print(
        "\n"
        f"roster import benchmark (scale {SCALE}): {SCHOOLS:,} schools, {STAFF:,} staff, {STUDENTS:,} students, "
        f"{GUARDIANS:,} guardians; autovacuum off\n"
        f"  bundle:            {rows:,} rows, {size_mb:,.0f} MB (generated in {generated:.1f} s)\n"
        f"  first import:      {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak memory {peak_mb:,.0f} MB\n"
        f"  re-import (no-op): {again_seconds:.1f} s, {rows / again_seconds:,.0f} rows/s, "
        f"peak memory {again_peak_mb:,.0f} MB; {again_seconds / seconds:.2f}x the first "
        f"(target at most 0.5x: {'met' if again_seconds <= seconds / 2 else 'NOT met'})\n"
        f"  PostgreSQL COPY:   {copy_seconds:.1f} s, {rows / copy_seconds:,.0f} rows/s (same rows, bare tables)\n"
        f"  import / COPY:     {ratio:.2f}x (target within 10x: {'met' if ratio <= 10 else 'NOT met'})\n"
        f"  schema floor:      {floor_seconds:.1f} s INSERT … SELECT of the same staff, students, guardians, links and "
        f"roles into tables shaped like ours; import / (COPY + floor) {floor_ratio:.2f}x "
        f"(target within 1.5x: {'met' if floor_ratio <= 1.5 else 'NOT met'})\n"
        f"  peak memory:       {peak:,.0f} MB (target under 300 MB: {'met' if peak < 300 else 'NOT met'})\n"
        f"  REST pull:         {pulled:,} records in {pull_seconds:.1f} s, {pulled / pull_seconds:,.0f} records/s "
        "(local OneRoster server, 1,000 a page)\n"
        f"  command output:\n    " + output.strip().replace("\n", "\n    ") + "\n"
        "  re-import output:\n    " + again_output.strip().replace("\n", "\n    ")
    )
