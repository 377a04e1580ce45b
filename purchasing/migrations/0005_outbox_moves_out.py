from django.db import migrations


class Migration(migrations.Migration):
    """The KPI outbox moved to its own app (`outbox`), which keeps these tables."""

    dependencies = [("purchasing", "0004_workspace_order_list_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PendingCell"),
                migrations.DeleteModel(name="PendingRefresh"),
            ],
            database_operations=[],
        )
    ]
