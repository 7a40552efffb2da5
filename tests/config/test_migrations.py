"""Migrations that serve both databases and a live district: the demo's SQLite database migrates
from empty (the test suite itself runs on PostgreSQL, so nothing else would notice a migration
only PostgreSQL understands), and an index added to a table that already holds a district's rows is
built without blocking its writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddIndex, CreateModel

ROOT = Path(__file__).resolve().parents[2]
OURS = {"accounts", "audit", "authorizations", "consent", "disclosures", "evidence", "registry", "reminders", "tools"}
# Indexes added before this rule, each on a table that was small where it first ran.
BUILT_BEFORE_THE_RULE = {
    ("consent", "0004_consent_record_recorded_at_index"),
    ("reminders", "0002_lease_holder_and_plan_runs"),
}


def test_it_migrates_the_demos_empty_sqlite_database(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL"))}
    environment.update(
        DJANGO_DEBUG="true",
        DJANGO_ENV_FILE=os.devnull,
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "demo.sqlite3").stat().st_size > 0


def test_an_index_on_a_table_already_holding_rows_is_built_without_blocking_writes():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # from the files, not the database
    created_in: dict[tuple[str, str], tuple[str, str]] = {}
    locking = []
    seen: set[tuple[str, str]] = set()
    for key in graph.leaf_nodes():
        for app, name in graph.forwards_plan(key):
            if app not in OURS or (app, name) in seen:
                continue
            seen.add((app, name))
            migration = graph.nodes[app, name]
            for operation in migration.operations:
                if isinstance(operation, CreateModel):
                    created_in[app, operation.name_lower] = (app, name)
                elif (
                    isinstance(operation, AddIndex)
                    and not isinstance(operation, AddIndexConcurrently)
                    and created_in.get((app, operation.model_name_lower)) != (app, name)
                    and (app, name) not in BUILT_BEFORE_THE_RULE
                ):
                    locking.append(f"{app}.{name}: {operation.index.name}")

    assert locking == [], "use core.migration_operations.AddIndexWithoutLocking (and atomic = False)"
