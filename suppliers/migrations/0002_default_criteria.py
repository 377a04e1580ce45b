from django.db import migrations

DEFAULT_CRITERIA = [
    ("financial_stability", "Financial stability", "25"),
    ("quality_system", "Quality system", "30"),
    ("spare_capacity", "Spare capacity", "20"),
    ("cultural_fit", "Cultural fit", "10"),
    ("esg", "ESG", "15"),
]


def create_criteria(apps, schema_editor):
    criterion = apps.get_model("suppliers", "QualificationCriterion")
    for code, name, weight in DEFAULT_CRITERIA:
        criterion.objects.get_or_create(code=code, defaults={"name": name, "weight": weight})


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]
    operations = [migrations.RunPython(create_criteria, migrations.RunPython.noop)]
