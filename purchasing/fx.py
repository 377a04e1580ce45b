"""FX rates: base-currency units per one unit of a currency, from a date on.

A rate prices every receipt in its currency from its date until the next rate, so each
insert, correction or deletion marks the KPI cells of the receipts it prices
(`fx_rates_kpi_refresh`).
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.iso_codes import CURRENCY_CODES
from core.services import BatchValidationError, model_update, raise_first_error
from purchasing.kpi_cells import kpi_cells_of_fx
from purchasing.models import FxRate
from purchasing.outbox import kpi_cells_mark


def fx_rates_validate(*, rates: list[FxRate]) -> dict[int, dict[str, list[str]]]:
    """Check a batch of FX rates without a query; errors by index. An existing (currency,
    date) is not an error: the upsert corrects it. The same pair twice in one batch is."""
    errors: dict[int, dict[str, list[str]]] = {}

    def add(index, field, message):
        errors.setdefault(index, {}).setdefault(field, []).append(message)

    first: dict[tuple[str, dt.date], int] = {}
    for index, rate in enumerate(rates):
        if rate.currency not in CURRENCY_CODES:
            add(index, "currency", f"'{rate.currency}' is not an ISO 4217 currency code.")
        elif rate.currency == settings.BASE_CURRENCY:
            add(index, "currency", f"{rate.currency} is the base currency; its rate is always 1.")
        if rate.rate is None or rate.rate <= 0:
            add(index, "rate", "A rate is more than zero.")
        key = (rate.currency, rate.date)
        if key in first:
            add(
                index,
                "date",
                f"{rate.currency} {rate.date} appears twice in this batch "
                f"(items {first[key]} and {index}).",
            )
        else:
            first[key] = index
    return errors


def fx_rates_kpi_refresh(*, rates: Iterable[tuple[str, dt.date]]) -> None:
    """Mark for the KPI refresh the (supplier, month) cells of every receipt these (currency,
    date) rates price or priced: from each date until the next rate of its currency, read
    after the change (`kpi_cells_of_fx`, one query per currency)."""
    kpi_cells_mark(cells=kpi_cells_of_fx(rates=list(rates)))


@transaction.atomic
def fx_rates_upsert(*, rates: list[FxRate], validate: bool = False, actor=None) -> list[FxRate]:
    """Insert or correct rates on (currency, date), all or nothing, and refresh the landed
    cost of the suppliers whose receipts the rates price.

    With `validate=True` the batch is checked first (`fx_rates_validate`) and refused with a
    `BatchValidationError`; without, the caller has validated (demo data).
    """
    if validate:
        errors = fx_rates_validate(rates=rates)
        if errors:
            raise BatchValidationError(errors)
    written = FxRate.objects.bulk_create(
        rates,
        update_conflicts=True,
        unique_fields=["currency", "date"],
        update_fields=["rate"],
        batch_size=2000,
    )
    fx_rates_kpi_refresh(rates=[(rate.currency, rate.date) for rate in rates])
    return written


@transaction.atomic
def fx_rate_update(*, fx_rate: FxRate, data: dict, actor=None) -> FxRate:
    """Correct one rate (its value, currency or date); both old and new dates refresh."""
    old_currency, old_date = fx_rate.currency, fx_rate.date
    candidate = FxRate(
        currency=data.get("currency", fx_rate.currency),
        date=data.get("date", fx_rate.date),
        rate=data.get("rate", fx_rate.rate),
    )
    raise_first_error(fx_rates_validate(rates=[candidate]))
    clash = FxRate.objects.filter(currency=candidate.currency, date=candidate.date).exclude(
        pk=fx_rate.pk
    )
    if clash.exists():
        raise ValidationError(
            {"date": f"There is already a {candidate.currency} rate for {candidate.date}."}
        )
    _, changed = model_update(instance=fx_rate, fields=["currency", "date", "rate"], data=data)
    if changed:
        fx_rates_kpi_refresh(rates=[(old_currency, old_date), (fx_rate.currency, fx_rate.date)])
    return fx_rate


@transaction.atomic
def fx_rate_delete(*, fx_rate: FxRate, actor=None) -> None:
    touched = (fx_rate.currency, fx_rate.date)
    fx_rate.delete()
    fx_rates_kpi_refresh(rates=[touched])
