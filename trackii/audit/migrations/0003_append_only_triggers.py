"""On PostgreSQL the database itself refuses to change or delete a row of the audit trail or of
the change history (django-auditlog's LogEntry), whatever the application does: a row trigger
raises on every UPDATE and DELETE. Inserts (new entries, and pg_restore's COPY) still work.

TRUNCATE is not refused: Django's ``flush`` (which the test suite runs after every transactional
test, and a restore may run before loading) empties tables with TRUNCATE, and an operator who can
run it can also drop a trigger. Other databases (SQLite in development) rely on the models."""

from django.db import migrations

FUNCTION = "trackii_audit_append_only"
TRIGGERS = [
    ("audit", "AuditEntry", "trackii_auditentry_append_only"),
    ("auditlog", "LogEntry", "trackii_logentry_append_only"),
]


def _tables(apps):
    for app_label, model, trigger in TRIGGERS:
        yield apps.get_model(app_label, model)._meta.db_table, trigger


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'trackii: % on % refused: the audit trail is append-only',
                TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """,
        None,  # no parameters: the % in RAISE are PL/pgSQL's, not placeholders
    )
    for table, trigger in _tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {schema_editor.quote_name(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, trigger in _tables(apps):
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {trigger} ON {schema_editor.quote_name(table)}"
        )
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_initial"),
        # After every migration of auditlog's we run: a later data migration of theirs that
        # rewrote rows would be refused by the trigger (pyproject pins auditlog below 4).
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
