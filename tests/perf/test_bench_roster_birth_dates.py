"""Benchmark: what students' birth dates (demographics.csv) add to a roster import at the largest
district. Run by `make bench` (never by a normal test run). After a first import of the largest
district's bundle (tests/perf/test_bench_roster_import.py), the same bundle is imported three more
times: unchanged and without demographics (the nightly no-op), with a birth date for every student
(each one set), and with the same birth dates again (none changes). Prints each import's seconds,
rows per second and peak memory. BENCH_SCALE=0.1 runs a tenth of the size.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest

from accounts.models import Student
from tests.accounts.bundles import DEMOGRAPHIC_HEADER
from tests.perf.test_bench_roster_import import SCALE, STUDENTS, bench_district, generate_bundle, run_import

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def write_demographics(folder: Path) -> None:
    first = datetime.date(2008, 9, 1)
    with (folder / "demographics.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(DEMOGRAPHIC_HEADER)
        for n in range(STUDENTS):
            born = first + datetime.timedelta(days=n % 4_700)
            writer.writerow([f"student-{n}", "active", "2026-08-01T00:00:00Z", born.isoformat(), "", ""])


def test_bench_roster_birth_dates_at_the_largest_district(tmp_path):
    database_url = bench_district()
    bundle = tmp_path / "bundle"
    rows = generate_bundle(bundle)

    first, first_mb, _ = run_import(bundle, database_url)
    plain, plain_mb, _ = run_import(bundle, database_url)
    write_demographics(bundle)
    dated, dated_mb, dated_output = run_import(bundle, database_url)
    again, again_mb, _ = run_import(bundle, database_url)

    assert Student.objects.filter(district__slug="bench", birth_date__isnull=False).count() == STUDENTS
    with_dates = rows + STUDENTS
    print(
        "\n"
        f"roster birth dates benchmark (scale {SCALE}): {STUDENTS:,} students; autovacuum off\n"
        f"  first import:                 {first:.1f} s, {rows / first:,.0f} rows/s, peak {first_mb:,.0f} MB\n"
        f"  unchanged, no demographics:   {plain:.1f} s, {rows / plain:,.0f} rows/s, peak {plain_mb:,.0f} MB\n"
        f"  every birth date set:         {dated:.1f} s, {with_dates / dated:,.0f} rows/s, peak {dated_mb:,.0f} MB; "
        f"{dated - plain:+.1f} s for {STUDENTS:,} birth dates\n"
        f"  the same birth dates again:   {again:.1f} s, {with_dates / again:,.0f} rows/s, peak {again_mb:,.0f} MB; "
        f"{again - plain:+.1f} s over the plain re-import\n"
        f"  output of the import that set them:\n    " + dated_output.strip().replace("\n", "\n    ")
    )
