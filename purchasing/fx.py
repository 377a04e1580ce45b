"""FX rates: base-currency units per one unit of a currency, from a date on.

A rate prices every receipt in its currency from its date until the next rate, so each
insert, correction or deletion requests the KPI refresh of the suppliers with such
receipts (one query, see `fx_rates_kpi_refresh`).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core.iso_codes import CURRENCY_CODES
from core.services import BatchValidationError, model_update, raise_first_error
from purchasing.models import FxRate, Receipt
from purchasing.outbox import kpi_refresh_queue


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


def fx_rates_kpi_refresh(*, first_dates: dict[str, dt.date]) -> None:
    """Request the refresh of every supplier with a receipt priced or costed in one of these
    currencies on or after the date its rate changed from (a rate holds from its date on).
    One query, whatever the number of currencies."""
    condition = Q()
    for currency, first in first_dates.items():
        condition |= Q(receipt_date__gte=first) & (
            Q(cost_currency=currency) | Q(line__purchase_order__currency=currency)
        )
    if not condition:
        return
    supplier_ids = (
        Receipt.objects.filter(condition)
        .values_list("line__purchase_order__supplier_id", flat=True)
        .distinct()
    )
    kpi_refresh_queue(supplier_ids=list(supplier_ids))


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
    first_dates: dict[str, dt.date] = {}
    for rate in rates:
        if rate.currency not in first_dates or rate.date < first_dates[rate.currency]:
            first_dates[rate.currency] = rate.date
    fx_rates_kpi_refresh(first_dates=first_dates)
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
        first_dates = {old_currency: old_date}
        if fx_rate.currency != old_currency or fx_rate.date < old_date:
            first_dates[fx_rate.currency] = min(
                fx_rate.date, first_dates.get(fx_rate.currency, fx_rate.date)
            )
        fx_rates_kpi_refresh(first_dates=first_dates)
    return fx_rate


@transaction.atomic
def fx_rate_delete(*, fx_rate: FxRate, actor=None) -> None:
    first_dates = {fx_rate.currency: fx_rate.date}
    fx_rate.delete()
    fx_rates_kpi_refresh(first_dates=first_dates)
