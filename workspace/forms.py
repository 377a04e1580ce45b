"""Buyer forms: they only translate input; every rule and every write is in the services."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.roles import Role
from core.fields import EARLIEST_DATE, LATEST_DATE
from core.iso_codes import COUNTRY_CODES, CURRENCY_CODES
from core.units import UNIT_CHOICES
from parts.models import Part
from purchasing.models import PurchaseOrderLine
from sites.models import Site
from suppliers.models import Supplier, SupplierContact

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def errors_onto(form, exc: ValidationError) -> None:
    """A service's field errors onto the form; errors of fields it lacks go on top."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def iso_code(value: str, codes: frozenset[str], noun: str) -> str:
    """Trimmed and upper-cased, and a code that exists (a typo such as EUE is caught)."""
    code = (value or "").strip().upper()
    if code not in codes:
        raise ValidationError(f"{code or value!r} is not an ISO {noun} code.")
    return code


def sane_date(value):
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            f"Use a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
        )


def _owners():
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.BUYER.value), is_active=True)
        .distinct()
        .order_by("username")
    )


class SupplierForm(forms.Form):
    code = forms.CharField(max_length=32)
    name = forms.CharField(max_length=200)
    country = forms.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE.")
    region = forms.CharField(max_length=64, required=False)
    currency = forms.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")
    status = forms.ChoiceField(choices=Supplier.Status.choices, initial=Supplier.Status.PROSPECT)
    owner = forms.ModelChoiceField(queryset=None, required=False, to_field_name="username")
    primary_contact = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, supplier: Supplier | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _owners()
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        if supplier is None:
            del self.fields["primary_contact"]
        else:
            self.fields["code"].disabled = True
            self.fields["primary_contact"].queryset = SupplierContact.objects.filter(
                supplier=supplier
            ).select_related("user")
            allowed = {supplier.status, *supplier.TRANSITIONS.get(supplier.status, ())}
            self.fields["status"].choices = [c for c in Supplier.Status.choices if c[0] in allowed]
            self.fields["status"].help_text = "Only the next steps of the lifecycle are offered."

    def clean_country(self):
        return iso_code(self.cleaned_data["country"], COUNTRY_CODES, "3166-1 country")

    def clean_currency(self):
        return iso_code(self.cleaned_data["currency"], CURRENCY_CODES, "4217 currency")


class PartForm(forms.Form):
    number = forms.CharField(max_length=40)
    name = forms.CharField(max_length=200)
    unit = forms.ChoiceField(choices=UNIT_CHOICES, initial="EA")
    category = forms.CharField(max_length=64, required=False)
    specification_reference = forms.CharField(max_length=64, required=False)
    specification_revision = forms.CharField(max_length=16, required=False)
    is_critical = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, part: Part | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if part is not None:
            self.fields["number"].disabled = True


class CharacteristicForm(forms.Form):
    code = forms.CharField(max_length=32)
    description = forms.CharField(max_length=200)
    is_critical = forms.BooleanField(required=False)


ChecklistFormSet = forms.formset_factory(CharacteristicForm, extra=2, can_delete=True)


class SourceForm(forms.Form):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.order_by("code"),
        to_field_name="code",
        widget=forms.TextInput(attrs={"placeholder": "Supplier code"}),
        error_messages={"invalid_choice": "No supplier with this code."},
    )
    target_share_pct = forms.DecimalField(max_digits=5, decimal_places=2, label="Target share %")
    min_share_pct = forms.DecimalField(
        max_digits=5, decimal_places=2, initial=0, label="Min share %"
    )
    max_share_pct = forms.DecimalField(
        max_digits=5, decimal_places=2, initial=100, label="Max share %"
    )
    unit_price = forms.DecimalField(max_digits=14, decimal_places=4)
    currency = forms.CharField(max_length=3)
    lead_time_days = forms.IntegerField(min_value=0, label="Contracted lead time (days)")
    monthly_capacity = forms.DecimalField(
        max_digits=14, decimal_places=3, required=False, help_text="Empty: unlimited."
    )
    moq = forms.DecimalField(max_digits=14, decimal_places=3, initial=1, label="MOQ")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        if source is not None:
            self.fields["supplier"].disabled = True

    def clean_currency(self):
        return iso_code(self.cleaned_data["currency"], CURRENCY_CODES, "4217 currency")


class PurchaseOrderForm(forms.Form):
    number = forms.CharField(max_length=40, label="PO number")
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.order_by("code"),
        to_field_name="code",
        widget=forms.TextInput(attrs={"placeholder": "Supplier code"}),
        error_messages={"invalid_choice": "No supplier with this code."},
    )
    order_date = forms.DateField(widget=DATE, validators=[sane_date])
    currency = forms.CharField(max_length=3)
    site = forms.ModelChoiceField(
        queryset=Site.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="Main site",
        help_text="Delivery site.",
    )

    def clean_currency(self):
        return iso_code(self.cleaned_data["currency"], CURRENCY_CODES, "4217 currency")


class OrderLineForm(forms.Form):
    part = forms.ModelChoiceField(
        queryset=Part.objects.order_by("number"),
        to_field_name="number",
        widget=forms.TextInput(attrs={"placeholder": "Part number"}),
        error_messages={"invalid_choice": "No part with this number."},
    )
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, min_value=0.001)
    unit_price = forms.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    requested_date = forms.DateField(widget=DATE, validators=[sane_date])
    promised_date = forms.DateField(
        widget=DATE,
        required=False,
        validators=[sane_date],
        help_text="Only if the supplier has already confirmed.",
    )
    status = forms.ChoiceField(
        choices=PurchaseOrderLine.Status.choices, initial=PurchaseOrderLine.Status.OPEN
    )


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=3, min_num=1, validate_min=True)
