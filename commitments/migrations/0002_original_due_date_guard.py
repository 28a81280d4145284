"""A database trigger that refuses to overwrite a commitment's original due date.

The rule holds whatever writes the row (a service, the admin, a shell, raw SQL): once a
commitment has an original due date, it keeps it. Setting it for the first time is allowed.
"""

from django.db import migrations

MESSAGE = "original_due_date of a commitment is never overwritten"

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION commitment_keep_original_due_date() RETURNS trigger AS $$
BEGIN
    IF OLD.original_due_date IS NOT NULL
       AND NEW.original_due_date IS DISTINCT FROM OLD.original_due_date THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER commitment_keep_original_due_date
    BEFORE UPDATE OF original_due_date ON commitments_commitment
    FOR EACH ROW EXECUTE FUNCTION commitment_keep_original_due_date();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS commitment_keep_original_due_date ON commitments_commitment;
DROP FUNCTION IF EXISTS commitment_keep_original_due_date();
"""
SQLITE_CREATE = f"""
CREATE TRIGGER commitment_keep_original_due_date
BEFORE UPDATE OF original_due_date ON commitments_commitment
FOR EACH ROW
WHEN OLD.original_due_date IS NOT NULL
     AND NEW.original_due_date IS NOT OLD.original_due_date
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS commitment_keep_original_due_date;"

STATEMENTS = {
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def create_trigger(apps, schema_editor):
    create, _ = STATEMENTS[schema_editor.connection.vendor]
    schema_editor.execute(create)


def drop_trigger(apps, schema_editor):
    _, drop = STATEMENTS[schema_editor.connection.vendor]
    schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
