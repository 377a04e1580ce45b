"""Contract pages' forms: they translate input; the services validate, write and audit."""

from django import forms
from django.core.exceptions import ValidationError

from contracts import services
from contracts.models import Contract, ContractRule, PriceTier, VolumeCommitment

# Parts are reached through the rule's foreign key: contracts sit beside parts.
Part = ContractRule._meta.get_field("part").related_model
Supplier = Contract._meta.get_field("supplier").related_model


class DateInput(forms.DateInput):
    input_type = "date"


def errors_onto(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields."""
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


INVOICE_TERMS = ("invoice_quantity_tolerance", "invoice_price_tolerance_pct")


class ToleranceOptional(forms.ModelForm):
    """The over-delivery tolerance may be left empty: the stored value (default 10 %) stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "over_delivery_tolerance_pct" in self.fields:
            self.fields["over_delivery_tolerance_pct"].required = False

    def clean_over_delivery_tolerance_pct(self):
        value = self.cleaned_data.get("over_delivery_tolerance_pct")
        return self.instance.over_delivery_tolerance_pct if value is None else value


class ContractAdminForm(ToleranceOptional):
    class Meta:
        model = Contract
        fields = list(services.CONTRACT_FIELDS)


class ContractForm(ToleranceOptional):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.order_by("code"), to_field_name="code"
    )

    class Meta:
        model = Contract
        fields = list(services.CONTRACT_FIELDS)
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the reference and supplier are fixed once created
            del self.fields["reference"]
            del self.fields["supplier"]
        for name in INVOICE_TERMS:  # left empty: the contract keeps what it has
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in INVOICE_TERMS:
            if data.get(name) is None:
                data[name] = getattr(self.instance, name)
        valid_from = data.get("valid_from") or self.instance.valid_from
        valid_to = data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", "A contract cannot end before it starts.")

        return data


class RuleForm(forms.ModelForm):
    """A rule; `clean` runs the service's checks so every problem shows on its field."""

    class Meta:
        model = ContractRule
        fields = list(services.RULE_FIELDS)

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.fields["part"].queryset = Part.objects.filter(
            sources__supplier_id=contract.supplier_id
        ).order_by("number")
        self.fields["part"].empty_label = f"Every part {contract.supplier.code} supplies"
        self.fields["threshold"].widget.attrs["step"] = "any"
        self.fields["amount"].help_text = "Share points to move (shift share only)."

    def candidate(self) -> ContractRule:
        rule = ContractRule(pk=self.instance.pk, contract=self.contract)
        for name in services.RULE_FIELDS:
            setattr(rule, name, self.cleaned_data.get(name, getattr(self.instance, name)))
        return rule

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.contract_rule_check(self.candidate())
            except ValidationError as error:
                errors_onto(self, error)
        return data


class PriceTierForm(forms.ModelForm):
    class Meta:
        model = PriceTier
        fields = list(services.TIER_FIELDS)

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].queryset = Part.objects.filter(
            sources__supplier_id=contract.supplier_id
        ).order_by("number")


class VolumeCommitmentForm(PriceTierForm):
    class Meta:
        model = VolumeCommitment
        fields = list(services.COMMITMENT_FIELDS)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_quantity_per_year"), data.get("max_quantity_per_year")
        if low is not None and high is not None and high < low:
            self.add_error("max_quantity_per_year", "The maximum cannot be below the minimum.")
        return data
