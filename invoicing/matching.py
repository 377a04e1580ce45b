"""The three-way match of supplier invoices against orders and receipts (docs/invoices.md).

Per invoice line, against its order line:
1. quantity: invoiced ≤ received − billed by earlier invoices (not rejected) + tolerance
   (contract term `invoice_quantity_tolerance`, default 0 units);
2. price: the unit price equals the expected price (the order line's, or the price tier in
   force on the invoice date) within `invoice_price_tolerance_pct` (default 0.5 %);
3. currency: the invoice's equals the order's.
Everything is read set-based for a batch of invoices: one query per kind of fact.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Q, Sum

from contracts.models import Contract, ContractChange, PriceTier
from invoicing.models import MATCH_OK, Invoice, InvoiceLine
from purchasing.models import Receipt

DEFAULT_QUANTITY_TOLERANCE = Decimal("0")
DEFAULT_PRICE_TOLERANCE_PCT = Decimal("0.5")
_HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Terms:
    quantity_tolerance: Decimal = DEFAULT_QUANTITY_TOLERANCE
    price_tolerance_pct: Decimal = DEFAULT_PRICE_TOLERANCE_PCT


def _text(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def received_by_line(line_ids) -> dict[int, Decimal]:
    rows = (
        Receipt.objects.filter(line_id__in=set(line_ids))
        .values("line_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )
    return dict(rows)


def invoiced_before(invoices: list[Invoice]) -> dict[tuple[int, int], Decimal]:
    """(invoice id, order line id) → quantity billed on that order line by earlier invoices
    (lower id) that were not rejected."""
    line_ids = {ln.line_id for invoice in invoices for ln in invoice.lines.all()}
    billed: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for invoice_id, line_id, quantity in (
        InvoiceLine.objects.filter(line_id__in=line_ids)
        .exclude(invoice__status=Invoice.Status.REJECTED)
        .values_list("invoice_id", "line_id", "quantity")
    ):
        billed[line_id].append((invoice_id, quantity))
    return {
        (invoice.pk, ln.line_id): sum(
            (q for other, q in billed[ln.line_id] if other < invoice.pk), Decimal(0)
        )
        for invoice in invoices
        for ln in invoice.lines.all()
    }


def _valid_on(contract: Contract, day: dt.date) -> bool:
    return contract.valid_from <= day and (contract.valid_to is None or contract.valid_to >= day)


def terms_for(invoices: list[Invoice]) -> dict[int, Terms]:
    """Invoice id → the match tolerances of its supplier's contract valid on the invoice
    date (the latest-starting one if several), else the defaults."""
    contracts = defaultdict(list)
    for contract in Contract.objects.filter(
        supplier_id__in={i.supplier_id for i in invoices}
    ).order_by("-valid_from", "-id"):
        contracts[contract.supplier_id].append(contract)
    found = {}
    for invoice in invoices:
        contract = next(
            (c for c in contracts[invoice.supplier_id] if _valid_on(c, invoice.invoice_date)),
            None,
        )
        found[invoice.pk] = (
            Terms(contract.invoice_quantity_tolerance, contract.invoice_price_tolerance_pct)
            if contract is not None
            else Terms()
        )
    return found


def tier_prices(invoices: list[Invoice]) -> dict[tuple[int, int], Decimal]:
    """(invoice id, part id) → the unit price of the price tier in force on the invoice
    date: applied (by the rules engine or entered so) on or before that date, on a contract
    of the supplier valid then; the highest such tier wins."""
    parts = {ln.line.part_id for invoice in invoices for ln in invoice.lines.all()}
    tiers = list(
        PriceTier.objects.filter(
            is_applied=True,
            part_id__in=parts,
            contract__supplier_id__in={i.supplier_id for i in invoices},
        ).select_related("contract")
    )
    if not tiers:
        return {}
    applied_on = dict(
        ContractChange.objects.filter(
            Q(after__is_applied=True),
            object_type="pricetier",
            object_id__in=[t.pk for t in tiers],
        )
        .values("object_id")
        .annotate(first=Min("changed_at"))
        .values_list("object_id", "first")
    )
    found: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    for invoice in invoices:
        day = invoice.invoice_date
        for tier in tiers:
            since = applied_on.get(tier.pk)
            since_day = since.date() if since is not None else tier.contract.valid_from
            if (
                tier.contract.supplier_id != invoice.supplier_id
                or not _valid_on(tier.contract, day)
                or since_day > day
            ):
                continue
            key = (invoice.pk, tier.part_id)
            if key not in found or tier.min_quantity > found[key][0]:
                found[key] = (tier.min_quantity, tier.unit_price)
    return {key: price for key, (_, price) in found.items()}


def line_verdict(
    *, line: InvoiceLine, invoice: Invoice, received, before, expected, terms: Terms
) -> str:
    """ "ok", or every reason the line does not match, in words a buyer reads."""
    reasons = []
    available = received - before
    if line.quantity > available + terms.quantity_tolerance:
        reasons.append(
            f"quantity {_text(line.quantity)} is more than received {_text(received)} minus "
            f"already invoiced {_text(before)} (tolerance {_text(terms.quantity_tolerance)})"
        )
    allowed = expected * terms.price_tolerance_pct / _HUNDRED
    difference = line.unit_price - expected
    if abs(difference) > allowed:
        pct = (
            f" ({_text((difference * _HUNDRED / expected).quantize(Decimal('0.01')))} %)"
            if expected
            else ""
        )
        reasons.append(
            f"unit price {_text(line.unit_price)} differs from expected {_text(expected)} by "
            f"{_text(difference)}{pct} (tolerance {_text(terms.price_tolerance_pct)} %)"
        )
    order_currency = line.line.purchase_order.currency
    if invoice.currency != order_currency:
        reasons.append(f"currency {invoice.currency} is not the order's {order_currency}")
    return "; ".join(reasons) if reasons else MATCH_OK


def invoices_compare(invoices: list[Invoice]) -> list[InvoiceLine]:
    """Run the match over the invoices' lines (prefetched with their order lines and
    orders); sets each line's figures and verdict in memory and returns the lines."""
    lines = [ln for invoice in invoices for ln in invoice.lines.all()]
    received = received_by_line({ln.line_id for ln in lines})
    before = invoiced_before(invoices)
    terms = terms_for(invoices)
    tiers = tier_prices(invoices)
    for invoice in invoices:
        for ln in invoice.lines.all():
            ln.ordered_quantity = ln.line.quantity
            ln.received_quantity = received.get(ln.line_id, Decimal(0))
            ln.invoiced_before = before[invoice.pk, ln.line_id]
            ln.expected_price = tiers.get((invoice.pk, ln.line.part_id), ln.line.unit_price)
            ln.match = line_verdict(
                line=ln,
                invoice=invoice,
                received=ln.received_quantity,
                before=ln.invoiced_before,
                expected=ln.expected_price,
                terms=terms[invoice.pk],
            )
    return lines
