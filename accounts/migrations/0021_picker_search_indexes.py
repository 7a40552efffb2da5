"""Finding a person, a school or a program by part of its name answers from an index at the largest
district (150,000 staff, 1,060,000 students): on PostgreSQL, pg_trgm and a GIN trigram index on the
upper-cased name (the form Django's icontains and istartswith compare). SQLite (the demo) has neither and
reads its few rows directly: the extension operation does nothing there, nor do the indexes. The indexes
are not in the models' Meta, which would ask SQLite to build them too. They are built CONCURRENTLY, so a
live district keeps writing while they are built (outside a transaction: the migration is not atomic)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (table, column, index name)
SEARCHED = (
    ("accounts_user", "first_name", "user_first_name_trgm"),
    ("accounts_user", "last_name", "user_last_name_trgm"),
    ("accounts_user", "email", "user_email_trgm"),
    ("accounts_student", "first_name", "student_first_name_trgm"),
    ("accounts_student", "last_name", "student_last_name_trgm"),
    ("accounts_school", "name", "school_name_trgm"),
    ("accounts_program", "name", "program_name_trgm"),
)


def add_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, name in SEARCHED:
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def remove_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in SEARCHED:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("accounts", "0020_technology_notice_deadline"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
