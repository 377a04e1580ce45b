"""Write helpers every app's services share."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models


def model_update(
    *, instance: models.Model, fields: list[str], data: dict
) -> tuple[models.Model, bool]:
    """Set the named `fields` that are present in `data`, validate, and save only those.

    Returns the instance and whether anything changed; an unchanged instance is not saved.
    A field with `auto_now` (updated_at) is saved along with any change.
    """
    changed = []
    for name in fields:
        if name not in data:
            continue
        field = instance._meta.get_field(name)
        attname = field.attname
        value = data[name]
        current = getattr(instance, name)
        if field.is_relation and value is not None and not isinstance(value, models.Model):
            # A primary key was passed for a foreign key.
            if getattr(instance, attname) != value:
                setattr(instance, attname, value)
                changed.append(name)
            continue
        if current != value:
            setattr(instance, name, value)
            changed.append(name)
    if not changed:
        return instance, False
    instance.full_clean()
    auto_now = [
        f.name
        for f in instance._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.name not in changed
    ]
    instance.save(update_fields=changed + auto_now)
    return instance, True


class BatchValidationError(ValidationError):
    """A batch refused as a whole: `errors` maps item index → {field: [messages]}."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = dict(sorted(errors.items()))
        super().__init__(
            [
                f"item {index}, {field}: {message}"
                for index, fields in self.errors.items()
                for field, messages in fields.items()
                for message in messages
            ]
        )


def raise_first_error(errors: dict[int, dict[str, list[str]]]) -> None:
    """A one-item batch's errors as the usual field errors."""
    if errors:
        raise ValidationError(next(iter(errors.values())))


def model_snapshot(obj: models.Model) -> dict:
    """The audit view of an object: its concrete fields, JSON-safe."""
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(value, dt.date | dt.datetime | Decimal):
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
        data[field.attname] = value
    return data
