import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import sites.models


def orders_to_main_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    PurchaseOrder = apps.get_model("purchasing", "PurchaseOrder")
    main, _ = Site.objects.get_or_create(
        code=settings.DUALSOURCE_MAIN_SITE, defaults={"name": "Main site"}
    )
    PurchaseOrder.objects.filter(site__isnull=True).update(site=main)


class Migration(migrations.Migration):
    dependencies = [
        ("purchasing", "0005_outbox_moves_out"),
        ("sites", "0001_sites_and_main_site"),
    ]

    operations = [
        migrations.AddField(
            model_name="purchaseorder",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="purchase_orders",
                to="sites.site",
            ),
        ),
        migrations.RunPython(orders_to_main_site, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="purchaseorder",
            name="site",
            field=models.ForeignKey(
                default=sites.models.main_site_pk,
                help_text="Delivery site; default the organisation's main site.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="purchase_orders",
                to="sites.site",
            ),
        ),
    ]
