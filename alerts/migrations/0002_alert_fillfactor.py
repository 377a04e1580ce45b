from django.db import migrations


def fillfactor(apps, schema_editor):
    # Room on every page, so the scan's bump of last_seen is a HOT update on PostgreSQL
    # (no index touched). SQLite has no such setting.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE alerts_alert SET (fillfactor = 50)")


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(fillfactor, migrations.RunPython.noop)]
