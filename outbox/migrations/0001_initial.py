import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the outbox tables purchasing created (state only), and adds the re-score
    request."""

    initial = True

    dependencies = [
        ("purchasing", "0005_outbox_moves_out"),
        ("suppliers", "0005_portal_esg_questionnaire"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PendingRefresh",
                    fields=[
                        (
                            "supplier",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="suppliers.supplier",
                            ),
                        ),
                        ("requested_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={"db_table": "purchasing_pendingrefresh"},
                ),
                migrations.CreateModel(
                    name="PendingCell",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("month", models.DateField(help_text="First day of the month.")),
                        ("requested_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "supplier",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="suppliers.supplier",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "purchasing_pendingcell",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("supplier", "month"), name="one_pending_cell"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="PendingRescore",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("requested_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
