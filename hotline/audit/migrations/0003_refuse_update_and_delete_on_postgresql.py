"""On PostgreSQL the audit table refuses UPDATE and DELETE (docs/decisions/0007).

TRUNCATE is left alone on purpose: `flush` (the demo's --reset, the tests' transactional
cases) empties tables with TRUNCATE, and a truncated record is caught by the signed head and
by any checkpoint held outside. Production should run hotline as a role without TRUNCATE.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on audit_event', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
DROP FUNCTION IF EXISTS audit_event_refuse_change();
"""


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL holds a literal %

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_sign_events_and_head")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
