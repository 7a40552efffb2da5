"""Benchmark: import a OneRoster bundle the size of the largest US district into PostgreSQL.

Run by `make bench` (never by a normal test run). Prints rows per second, the import's peak
memory, and how long PostgreSQL's own COPY takes to load the same rows into bare tables.
BENCH_SCALE=0.1 runs a tenth of the size.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import District, Student, User
from tests.accounts.bundles import ORG_HEADER, USER_HEADER_11, manifest

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SCHOOLS = max(2, int(1_870 * SCALE))
STAFF = int(150_000 * SCALE)
STUDENTS = int(1_060_000 * SCALE)
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
    return 1 + SCHOOLS + STAFF + STUDENTS


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


def copy_baseline(bundle: Path) -> float:
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
        for table in ("bench_orgs", "bench_users"):
            cursor.execute(f"DROP TABLE {table}")
    return seconds


def test_bench_roster_import_at_the_largest_district(tmp_path):
    assert connection.vendor == "postgresql", "make bench needs PostgreSQL (DATABASE_URL)"
    District.objects.create(slug="bench", name="Bench District")
    database = settings.DATABASES["default"]
    database_url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"

    started = time.perf_counter()
    rows = generate_bundle(tmp_path / "bundle")
    generated = time.perf_counter() - started
    size_mb = sum(p.stat().st_size for p in (tmp_path / "bundle").iterdir()) / 1e6

    seconds, peak_mb, output = run_import(tmp_path / "bundle", database_url)
    again_seconds, again_peak_mb, again_output = run_import(tmp_path / "bundle", database_url)
    copy_seconds = copy_baseline(tmp_path / "bundle")

    assert User.objects.filter(district__slug="bench").count() == STAFF
    assert Student.objects.filter(district__slug="bench").count() == STUDENTS
    ratio = seconds / copy_seconds
    print(
        "\n"
        f"roster import benchmark (scale {SCALE}): {SCHOOLS:,} schools, {STAFF:,} staff, {STUDENTS:,} students\n"
        f"  bundle:            {rows:,} rows, {size_mb:,.0f} MB (generated in {generated:.1f} s)\n"
        f"  first import:      {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak memory {peak_mb:,.0f} MB\n"
        f"  re-import (no-op): {again_seconds:.1f} s, {rows / again_seconds:,.0f} rows/s, "
        f"peak memory {again_peak_mb:,.0f} MB\n"
        f"  PostgreSQL COPY:   {copy_seconds:.1f} s, {rows / copy_seconds:,.0f} rows/s (same rows, bare tables)\n"
        f"  import / COPY:     {ratio:.2f}x (target within 4x); "
        f"peak memory target under 300 MB: {'met' if max(peak_mb, again_peak_mb) < 300 else 'NOT met'}\n"
        f"  command output:\n    " + output.strip().replace("\n", "\n    ") + "\n"
        "  re-import output:\n    " + again_output.strip().replace("\n", "\n    ")
    )
