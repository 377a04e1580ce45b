from django import forms

from parts.models import Part
from rules.models import AllocationException


class ExceptionFilterForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("", "Any state"), *AllocationException.State.choices], required=False
    )
    kind = forms.ChoiceField(
        choices=[("", "Any kind"), *AllocationException.Kind.choices], required=False
    )
    supplier = forms.CharField(required=False, max_length=32)
    part = forms.CharField(required=False, max_length=40)


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, max_length=2000)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    widen_bounds = forms.BooleanField(
        required=False, help_text="Apply the whole proposal, moving the bounds it breaks."
    )


class BulkDecisionForm(forms.Form):
    """Many exceptions, one click: the ticked ones are all approved or all rejected."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    comment = forms.CharField(required=False, max_length=2000)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])

    def __init__(self, *args, open_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in open_ids]
        self.fields["ids"].error_messages["required"] = "Tick at least one exception."


class DemandSplitForm(forms.Form):
    part = forms.CharField(max_length=40, help_text="Part number")
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, min_value=0.001)
    need_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean_part(self):
        number = self.cleaned_data["part"].strip()
        part = Part.objects.filter(number__iexact=number).first()
        if part is None:
            raise forms.ValidationError(f"No part with number '{number[:40]}'.")
        return part
