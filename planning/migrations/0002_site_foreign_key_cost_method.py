"""Planning rows name their site by a foreign key to the site's code (the column keeps the
code); a policy records whether its cost is exact or a simulated estimate."""

import django.db.models.deletion
from django.db import migrations, models

import planning.models

MODELS = ("demandplan", "planningsetting", "replenishmentpolicy", "replenishmentsuggestion")


def sites_for_codes_in_use(apps, schema_editor):
    """A code planning used before any site had it becomes a site of that name."""
    Site = apps.get_model("sites", "Site")
    codes = set()
    for name in MODELS:
        codes |= set(apps.get_model("planning", name).objects.values_list("site", flat=True))
    known = set(Site.objects.filter(code__in=codes).values_list("code", flat=True))
    Site.objects.bulk_create([Site(code=code, name=code) for code in sorted(codes - known)])


def site_field():
    return planning.models.SiteField(
        db_column="site",
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="sites.site",
        to_field="code",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_planning_policies_suggestions"),
        ("sites", "0001_sites_and_main_site"),
    ]

    operations = [
        migrations.AddField(
            model_name="replenishmentpolicy",
            name="cost_exact",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="replenishmentpolicy",
            name="cost_stderr",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(sites_for_codes_in_use, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=name, name="site", field=site_field())
            for name in MODELS
        ),
    ]
