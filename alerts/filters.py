"""One FilterSet for the inbox page and the API: kind, severity, state, supplier (code)."""

import django_filters

from alerts.kinds import Kind
from alerts.models import Alert, Severity


class AlertFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    state = django_filters.ChoiceFilter(choices=Alert.State.choices)
    supplier = django_filters.CharFilter(field_name="supplier__code", label="Supplier code")
    part = django_filters.CharFilter(field_name="part__number", label="Part number")

    class Meta:
        model = Alert
        fields = ["kind", "severity", "state", "supplier", "part"]
