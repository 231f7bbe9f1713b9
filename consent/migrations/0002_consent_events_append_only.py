"""The database refuses to change a consent event (CNS-01): only inserts, and deletes by erasure or retention."""

from django.db import migrations

TRIGGER = """
CREATE FUNCTION consent_event_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent events are append-only: record a new event instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_refuse_update();
CREATE TRIGGER consent_event_history_no_update BEFORE UPDATE ON consent_historicalconsentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_refuse_update();
"""
DROP = """
DROP TRIGGER IF EXISTS consent_event_history_no_update ON consent_historicalconsentevent;
DROP TRIGGER IF EXISTS consent_event_no_update ON consent_consentevent;
DROP FUNCTION IF EXISTS consent_event_refuse_update();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
