"""The default scorecard template: the floors, targets and weights of docs/kpis.md."""

from decimal import Decimal

from django.db import migrations

SPEC_DEFAULTS = {
    "otd_floor_pct": Decimal("80"),
    "otd_target_pct": Decimal("98"),
    "otd_weight": Decimal("40"),
    "defect_ppm_floor": Decimal("5000"),
    "defect_ppm_target": Decimal("100"),
    "defect_ppm_weight": Decimal("30"),
    "lead_time_floor_days": Decimal("60"),
    "lead_time_target_days": Decimal("14"),
    "lead_time_weight": Decimal("10"),
    "landed_cost_index_floor": Decimal("1.15"),
    "landed_cost_index_target": Decimal("0.95"),
    "landed_cost_weight": Decimal("20"),
}


def default_template_create(apps, schema_editor):
    ScorecardTemplate = apps.get_model("scorecards", "ScorecardTemplate")
    if not ScorecardTemplate.objects.filter(is_default=True).exists():
        ScorecardTemplate.objects.create(name="Standard", is_default=True, **SPEC_DEFAULTS)


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0001_initial")]

    operations = [migrations.RunPython(default_template_create, migrations.RunPython.noop)]
