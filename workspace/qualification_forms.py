"""Buyer forms for qualification: an assessment's scores, comments and evidence per
criterion. They only translate input; the rules are `suppliers.services`'."""

from decimal import Decimal

from django import forms

from parts.models import PartCategory
from workspace.forms import DATE

SCORE_CHOICES = [("", "— not scored")] + [
    (str(Decimal(n) / 2), f"{Decimal(n) / 2:g}") for n in range(0, 11)
]


class AssessmentForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=PartCategory.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="The supplier as a whole",
    )
    assessed_on = forms.DateField(widget=DATE, label="Assessed on")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, editing_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = editing_scores or {}
        for criterion in self.criteria:
            row = scores.get(criterion.code)
            label = f"{criterion.name} (weight {criterion.weight:g}"
            if criterion.knockout_minimum is not None:
                label += f", knock-out below {criterion.knockout_minimum:g}"
            label += ")"
            self.fields[f"score_{criterion.code}"] = forms.ChoiceField(
                choices=SCORE_CHOICES,
                required=False,
                label=label,
                initial=None if row is None or row.score is None else str(row.score),
            )
            self.fields[f"comment_{criterion.code}"] = forms.CharField(
                required=False,
                label="Comment",
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=row.comment if row is not None else "",
            )
            self.fields[f"evidence_{criterion.code}"] = forms.FileField(
                required=False, label="Evidence (PDF, PNG, JPEG)"
            )

    def rows(self):
        """(criterion, score field, comment field, evidence field) for the template."""
        return [
            (c, self[f"score_{c.code}"], self[f"comment_{c.code}"], self[f"evidence_{c.code}"])
            for c in self.criteria
        ]

    def service_input(self) -> dict:
        data = self.cleaned_data
        return {
            "scores": {c.code: data.get(f"score_{c.code}") or None for c in self.criteria},
            "comments": {c.code: data.get(f"comment_{c.code}", "") for c in self.criteria},
            "evidence": {
                c.code: data[f"evidence_{c.code}"]
                for c in self.criteria
                if data.get(f"evidence_{c.code}")
            },
            "notes": data.get("notes", ""),
        }
