from django.db import transaction

from parts.models import ApprovedSource, InspectionCharacteristic, Part


@transaction.atomic
def parts_create(
    *, parts: list[tuple[Part, list[InspectionCharacteristic]]], batch_size: int = 2000
) -> list[Part]:
    """Create parts with their QC checklists in bulk, all or nothing. Callers validate."""
    created = Part.objects.bulk_create([part for part, _ in parts], batch_size=batch_size)
    characteristics = []
    for part, checklist in parts:
        for characteristic in checklist:
            characteristic.part = part
            characteristics.append(characteristic)
    InspectionCharacteristic.objects.bulk_create(characteristics, batch_size=batch_size)
    return created


@transaction.atomic
def approved_sources_create(
    *, sources: list[ApprovedSource], batch_size: int = 2000
) -> list[ApprovedSource]:
    """Create approved sources in bulk, all or nothing. Callers keep each part's shares at 100."""
    return ApprovedSource.objects.bulk_create(sources, batch_size=batch_size)
