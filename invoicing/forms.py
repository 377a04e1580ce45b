"""Invoice forms: the header, the billed lines picked from what was received, decisions."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from core.iso_codes import CURRENCY_CODES
from core.validators import natural_key_validator
from invoicing.services import BilledLine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_QUANTITY = forms.DecimalField(max_digits=14, decimal_places=3)
_PRICE = forms.DecimalField(max_digits=14, decimal_places=4)


class InvoiceForm(forms.Form):
    """An invoice header; the lines come from `bill_<line id>` checkboxes with their
    `qty_<line id>` and `price_<line id>` inputs, among the lines given as billable."""

    number = forms.CharField(max_length=40, label="Invoice number")
    invoice_date = forms.DateField(widget=DATE, initial=timezone.localdate)
    due_date = forms.DateField(widget=DATE, required=False, help_text="Empty: 30 days later.")
    currency = forms.CharField(max_length=3)
    freight = forms.DecimalField(max_digits=14, decimal_places=4, min_value=0, initial=0)
    other_charges = forms.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, initial=0, required=False
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.billable = {line.pk: line for line in lines}

    def clean_number(self):
        value = self.cleaned_data["number"].strip()
        natural_key_validator(value)
        return value

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        if value not in CURRENCY_CODES:
            raise forms.ValidationError("Not an ISO 4217 currency code.")
        return value

    def _number(self, field, raw, name: str, line):
        try:
            return field.clean(raw)
        except forms.ValidationError:
            self.add_error(
                None,
                f"{line.purchase_order.number}/{line.line_number}: {name} "
                f"'{str(raw)[:20]}' is not a number.",
            )
            return None

    def clean(self):
        data = super().clean()
        picked = []
        for key in self.data:
            if not key.startswith("bill_"):
                continue
            try:
                pk = int(key.removeprefix("bill_"))
            except ValueError:
                continue
            line = self.billable.get(pk)
            if line is None:
                self.add_error(None, "No such received line among yours left to invoice.")
                continue
            quantity = self._number(_QUANTITY, self.data.get(f"qty_{pk}"), "quantity", line)
            price = self._number(_PRICE, self.data.get(f"price_{pk}"), "unit price", line)
            if quantity is not None and price is not None:
                picked.append(BilledLine(line, quantity, price))
        if not picked and not self.errors:
            self.add_error(None, "Tick at least one line to invoice.")
        data["lines"] = picked
        data["other_charges"] = data.get("other_charges") or Decimal(0)
        return data


def line_rows(form: InvoiceForm, lines, *, preset: dict | None = None) -> list[dict]:
    """The billable lines as table rows, pre-filled with the quantity left to bill and the
    order price (or `preset`: line id → (quantity, price), a corrected invoice's)."""
    preset = preset or {}
    rows = []
    for line in lines:
        key = str(line.pk)
        quantity, price = preset.get(line.pk, (line.billable, line.unit_price))
        # "35", not "35.000" (PostgreSQL keeps the column's places in the difference).
        quantity = f"{Decimal(quantity).normalize():f}"
        if form.is_bound:
            checked = f"bill_{key}" in form.data
            quantity = form.data.get(f"qty_{key}", quantity)
            price = form.data.get(f"price_{key}", price)
        else:
            checked = line.pk in preset
        rows.append({"line": line, "checked": checked, "quantity": quantity, "price": price})
    return rows


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(max_length=2000, help_text="Required; the supplier sees it.")
