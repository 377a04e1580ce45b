"""Portal forms. A field that names an object offers only the contact's own objects:
its queryset comes from the scoped selectors, so another supplier's id is "not found"."""

from django import forms
from django.contrib.auth import get_user_model

from accounts.models import UserProfile
from core.fields import SaneFormDateTimeField
from core.validators import natural_key_validator
from purchasing.models import PromiseRevision
from suppliers.models import Certificate, EsgAssessment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AcknowledgeForm(forms.Form):
    """Tick lines and confirm or change each one's date (`date_<id>` inputs)."""

    lines = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "No such order line among yours.",
            "required": "Select at least one line.",
            "invalid_pk_value": "No such order line among yours.",
        },
    )
    reason = forms.ChoiceField(
        choices=[("", "— reason for a changed date —"), *PromiseRevision.Reason.choices],
        required=False,
    )
    comment = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = lines

    def clean(self):
        data = super().clean()
        entries = []
        for line in data.get("lines") or []:
            raw = (self.data.get(f"date_{line.pk}") or "").strip()
            field = forms.DateField(required=False)
            try:
                value = field.clean(raw) if raw else line.expected_date
            except forms.ValidationError:
                self.add_error("lines", f"{line}: '{raw[:20]}' is not a date (YYYY-MM-DD).")
                continue
            entries.append((line, value))
        data["entries"] = entries
        return data


class ShipNoticeForm(forms.Form):
    number = forms.CharField(max_length=40, label="ASN number")
    ship_date = forms.DateField(widget=DATE)
    eta = forms.DateField(widget=DATE, label="ETA")
    carrier = forms.CharField(max_length=100, required=False)
    tracking_number = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.shippable = lines

    def clean_number(self):
        value = self.cleaned_data["number"].strip()
        natural_key_validator(value)
        return value

    def clean(self):
        data = super().clean()
        wanted = {}
        for key, raw in self.data.items():
            if not key.startswith("qty_") or not str(raw).strip():
                continue
            try:
                pk = int(key.removeprefix("qty_"))
                quantity = forms.DecimalField(max_digits=14, decimal_places=3).clean(raw)
            except (ValueError, forms.ValidationError):
                self.add_error(None, f"'{str(raw)[:20]}' is not a quantity.")
                continue
            wanted[pk] = quantity
        lines = {line.pk: line for line in self.shippable.filter(pk__in=list(wanted))}
        unknown = set(wanted) - set(lines)
        if unknown:
            self.add_error(None, "No such open order line among yours.")
        data["lines"] = [(lines[pk], qty) for pk, qty in wanted.items() if pk in lines]
        if not wanted:
            self.add_error(None, "Enter a quantity for at least one line.")
        return data


class TransitEventForm(forms.Form):
    occurred_at = SaneFormDateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="When"
    )
    location = forms.CharField(max_length=200, required=False)
    eta = forms.DateField(widget=DATE, required=False, label="New ETA")
    description = forms.CharField(max_length=200, required=False)
    delivered = forms.BooleanField(
        required=False,
        label="Arrived at the plant",
        help_text="The buyer confirms the delivery when the goods are booked in.",
    )


class CertificateForm(forms.ModelForm):
    document = forms.FileField(help_text="PDF, PNG or JPEG.")

    class Meta:
        model = Certificate
        fields = ["kind", "number", "issued_by", "valid_until"]
        widgets = {"valid_until": DATE}


class EsgForm(forms.ModelForm):
    """The ESG questionnaire: four facts with the date and file of their evidence."""

    evidence = forms.FileField(required=False, help_text="PDF, PNG or JPEG.")

    class Meta:
        model = EsgAssessment
        fields = [
            "emissions_kg_co2e_per_eur",
            "waste_recycled_pct",
            "labour",
            "traceability_origin_known_pct",
            "evidence_date",
            "comments",
        ]
        widgets = {"evidence_date": DATE, "comments": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "emissions_kg_co2e_per_eur": "Emissions intensity (kg CO2e per EUR of sales to us)",
            "waste_recycled_pct": "Production waste recycled or recovered (%)",
            "labour": "Labour practices",
            "traceability_origin_known_pct": "Raw-material spend traced to its origin (%)",
            "evidence_date": "Date of the evidence",
        }


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField()
    job_title = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email_frequency = forms.ChoiceField(
        choices=UserProfile.EmailFrequency.choices, label="Email me about messages and alerts"
    )


class InviteForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(widget=forms.PasswordInput, label="Password")
    password2 = forms.CharField(widget=forms.PasswordInput, label="Password again")

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        get_user_model().username_validator(value)
        return value

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data
