"""The temporary tables a bundle is loaded into, row by row, before any real table is touched.

PostgreSQL streams the rows with COPY; SQLite takes batched inserts. The checks across rows and
the final upserts then run as SQL over these tables.
"""

from __future__ import annotations

import csv
import tempfile
from typing import Any

from django.db import connection

BATCH_ROWS = 5_000
# SQLite caps bound parameters per statement; PostgreSQL streams with COPY instead.
SQLITE_MAX_VARIABLES = 32_000

STAGING_TABLES = {
    "stg_org": "line integer, sourced_id text, status text, name text, type text, identifier text",
    "stg_user": (
        "line integer, sourced_id text, status text, kind text, given_name text, family_name text, "
        "email text, identifier text, grade text, school_sourced_id text, phone text, language text, "
        "relationship text, supervisor_sourced_id text"
    ),
    # agentSourcedIds: a student's guardians, or a guardian's students (exports list either side).
    "stg_agent": "line integer, user_sourced_id text, agent_sourced_id text",
    "stg_user_org": "line integer, user_sourced_id text, org_sourced_id text, role text, is_primary integer",
    "stg_class": "line integer, sourced_id text, status text, title text, school_sourced_id text",
    "stg_staff_role": "user_id bigint, school_key bigint",
    # Every row the import wrote (entity, id, added/matched/changed/deactivated): the history rows and a
    # preview's names come from it, so they cost in proportion to what changed, not to the district.
    "stg_written": "entity text, id bigint, action text",
    "stg_guardian_link": "student_id bigint, guardian_sid text, relationship text",
    "stg_demographic": "line integer, sourced_id text, status text, birth_date text",
    "stg_enrollment": (
        "line integer, sourced_id text, status text, class_sourced_id text, user_sourced_id text, role text"
    ),
}


class Staging:
    """Temporary tables the bundle is loaded into before any real table is touched."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"

    def create(self) -> None:
        for table, columns in STAGING_TABLES.items():
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
            self.cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")

    def drop(self) -> None:
        for table in STAGING_TABLES:
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def index(self) -> None:
        for statement in (
            "CREATE INDEX stg_user_sid ON stg_user (sourced_id)",
            "CREATE INDEX stg_user_email ON stg_user (email)",
            "CREATE INDEX stg_user_org_uid ON stg_user_org (user_sourced_id)",
            "CREATE INDEX stg_class_sid ON stg_class (sourced_id)",
            "CREATE INDEX stg_org_sid ON stg_org (sourced_id)",
            "CREATE INDEX stg_agent_uid ON stg_agent (user_sourced_id)",
            "CREATE INDEX stg_demographic_sid ON stg_demographic (sourced_id)",
        ):
            self.cursor.execute(statement)
        self.analyze(*STAGING_TABLES)

    def analyze(self, *tables: str) -> None:
        """Fresh statistics for tables just filled: temporary tables are never analyzed by autovacuum,
        and without statistics the planner guesses a few rows and picks nested loops over a million."""
        if self.postgres:
            for table in tables:
                self.cursor.execute(f"ANALYZE {table}")

    def writer(self, table: str, *, spooled: bool = False) -> _StagingWriter:
        return _StagingWriter(self, table, spooled=spooled)


class _StagingWriter:
    """Streams rows into a staging table. PostgreSQL allows one COPY at a time per connection,
    so a writer opened beside another is `spooled`: its rows wait in a temporary file (not in
    memory) and are loaded when it closes."""

    def __init__(self, staging: Staging, table: str, *, spooled: bool = False) -> None:
        self.staging = staging
        self.table = table
        self.width = STAGING_TABLES[table].count(",") + 1
        self.spooled = spooled
        self._batch: list[tuple[Any, ...]] = []
        self._copy_cm: Any = None
        self._copy: Any = None
        self._spool: Any = None

    def __enter__(self) -> _StagingWriter:
        if self.spooled:
            self._spool = tempfile.TemporaryFile("w+", newline="", encoding="utf-8")
            self._spool_writer = csv.writer(self._spool)
        elif self.staging.postgres:
            self._copy_cm = self.staging.cursor.copy(f"COPY {self.table} FROM STDIN")
            self._copy = self._copy_cm.__enter__()
        return self

    def write(self, row: tuple[Any, ...]) -> None:
        if self._spool is not None:
            self._spool_writer.writerow(row)
        elif self._copy is not None:
            self._copy.write_row(row)
        else:
            self._batch.append(row)
            if len(self._batch) * self.width >= SQLITE_MAX_VARIABLES or len(self._batch) >= BATCH_ROWS:
                self.flush()

    def flush(self) -> None:
        if self._batch:
            placeholders = ", ".join(["%s"] * self.width)
            self.staging.cursor.executemany(f"INSERT INTO {self.table} VALUES ({placeholders})", self._batch)
            self._batch = []

    def __exit__(self, *exc_info: object) -> None:
        if self._copy_cm is not None:
            self._copy_cm.__exit__(*exc_info)
        elif self._spool is not None:
            try:
                if exc_info[0] is None:
                    self._spool.seek(0)
                    with _StagingWriter(self.staging, self.table) as out:
                        for row in csv.reader(self._spool):
                            out.write(tuple(row))
            finally:
                self._spool.close()
        elif exc_info[0] is None:
            self.flush()
