"""Stored units become their UN/ECE Rec 20 code (ea → EA, kg → KGM, m → MTR, l → LTR)."""

from django.db import migrations

from core.units import unit_code

# The units the old choices allowed, and their codes; forward only needs these.
OLD_TO_CODE = {"ea": "EA", "kg": "KGM", "m": "MTR", "l": "LTR", "set": "SET"}


def forwards(apps, schema_editor):
    Part = apps.get_model("parts", "Part")
    stored = set(Part.objects.values_list("unit", flat=True).distinct())
    for unit in stored:
        code = OLD_TO_CODE.get(unit) or unit_code(unit)
        if code and code != unit:
            Part.objects.filter(unit=unit).update(unit=code)


def backwards(apps, schema_editor):
    Part = apps.get_model("parts", "Part")
    for old, code in OLD_TO_CODE.items():
        Part.objects.filter(unit=code).update(unit=old)


class Migration(migrations.Migration):
    dependencies = [("parts", "0002_source_changes_and_units")]

    operations = [migrations.RunPython(forwards, backwards)]
