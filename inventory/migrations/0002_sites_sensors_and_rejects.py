import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Min


def readings_to_sites(apps, schema_editor):
    """Each site code found in the readings becomes a site (named after its code)."""
    Site = apps.get_model("sites", "Site")
    Reading = apps.get_model("inventory", "InventoryPosition")
    codes = set(Reading.objects.values_list("site_code", flat=True).distinct())
    existing = set(Site.objects.filter(code__in=codes).values_list("code", flat=True))
    Site.objects.bulk_create([Site(code=code, name=code) for code in sorted(codes - existing)])
    for site in Site.objects.filter(code__in=codes):
        Reading.objects.filter(site_code=site.code).update(site=site)


def sensor_duplicates_removed(apps, schema_editor):
    """Sensor readings repeated with the same time are one reading: keep the first."""
    Reading = apps.get_model("inventory", "InventoryPosition")
    repeated = (
        Reading.objects.filter(source="iot")
        .values("part_id", "site_id", "sensor", "read_at")
        .annotate(n=Count("id"), keep=Min("id"))
        .filter(n__gt=1)
    )
    for row in repeated:
        Reading.objects.filter(
            source="iot",
            part_id=row["part_id"],
            site_id=row["site_id"],
            sensor=row["sensor"],
            read_at=row["read_at"],
        ).exclude(pk=row["keep"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
        ("parts", "0003_units_canonical"),
        ("sites", "0001_sites_and_main_site"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="inventoryposition", name="inventory_i_part_id_6aa64b_idx"
        ),
        migrations.RenameField(
            model_name="inventoryposition", old_name="site", new_name="site_code"
        ),
        migrations.AddField(
            model_name="inventoryposition",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="readings",
                to="sites.site",
            ),
        ),
        migrations.RunPython(readings_to_sites, migrations.RunPython.noop),
        migrations.RemoveField(model_name="inventoryposition", name="site_code"),
        migrations.AlterField(
            model_name="inventoryposition",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="readings",
                to="sites.site",
            ),
        ),
        migrations.AddField(
            model_name="inventoryposition",
            name="sensor",
            field=models.CharField(
                blank=True, default="", help_text="The sensor that sent it.", max_length=100
            ),
        ),
        migrations.RunPython(sensor_duplicates_removed, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="inventoryposition",
            index=models.Index(
                fields=["part", "site", "-read_at"], name="inventory_part_site_read"
            ),
        ),
        migrations.AddIndex(
            model_name="inventoryposition",
            index=models.Index(fields=["site", "-read_at"], name="inventory_site_read"),
        ),
        migrations.AddConstraint(
            model_name="inventoryposition",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", "iot")),
                fields=("part", "site", "sensor", "read_at"),
                name="inventory_sensor_reading_once",
            ),
        ),
        migrations.CreateModel(
            name="InventoryReject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("topic", models.CharField(max_length=500)),
                ("payload", models.TextField(help_text="The first 2 KB of the payload.")),
                ("reason", models.CharField(max_length=300)),
                ("received_at", models.DateTimeField(db_index=True)),
            ],
            options={"ordering": ["-received_at", "-id"]},
        ),
    ]
