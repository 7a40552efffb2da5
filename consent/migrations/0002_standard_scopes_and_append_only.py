"""Gives existing districts the standard scopes, and makes consent records append-only in the
database itself: the fields that say what a family answered cannot be updated by anyone."""

from django.db import migrations

from consent.standard import standard_scopes

ANSWER_COLUMNS = (
    "student_id, scope_id, school_year, decision, received_on, received_by, guardian_name, note, recorded_at"
)
MESSAGE = "consent records are append-only: record a new answer instead of changing one"

POSTGRESQL_UP = f"""
CREATE FUNCTION consent_record_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$;
CREATE TRIGGER consent_record_append_only
    BEFORE UPDATE OF {ANSWER_COLUMNS} ON consent_consentrecord
    FOR EACH ROW EXECUTE FUNCTION consent_record_refuse_update();
"""
POSTGRESQL_DOWN = """
DROP TRIGGER IF EXISTS consent_record_append_only ON consent_consentrecord;
DROP FUNCTION IF EXISTS consent_record_refuse_update();
"""
SQLITE_UP = f"""
CREATE TRIGGER consent_record_append_only
    BEFORE UPDATE OF {ANSWER_COLUMNS} ON consent_consentrecord
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS consent_record_append_only;"


def _run(schema_editor, postgresql: str, sqlite: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql)
    elif vendor == "sqlite":
        schema_editor.execute(sqlite)


def append_only(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRESQL_UP, SQLITE_UP)


def allow_updates(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRESQL_DOWN, SQLITE_DOWN)


def seed_scopes(apps, schema_editor) -> None:
    District = apps.get_model("accounts", "District")
    ConsentScope = apps.get_model("consent", "ConsentScope")
    for district in District.objects.all():
        have = set(ConsentScope.objects.filter(district=district).values_list("kind", flat=True))
        for values in standard_scopes(district.photo_model, district.public_arena_exception):
            if values["kind"] not in have:
                ConsentScope.objects.create(district=district, **values)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial"), ("accounts", "0002_departed_student_retention")]

    operations = [
        migrations.RunPython(append_only, allow_updates),
        migrations.RunPython(seed_scopes, migrations.RunPython.noop),
    ]
