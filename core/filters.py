"""Query-string filters every list shares (pages and API alike)."""

import django_filters
from django_filters.fields import RangeField
from django_filters.widgets import DateRangeWidget

from core.fields import SaneFormDateTimeField


class SaneDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args, **kwargs):
        fields = (SaneFormDateTimeField(), SaneFormDateTimeField())
        super().__init__(fields, *args, **kwargs)


class SaneDateTimeFromToRangeFilter(django_filters.RangeFilter):
    """`<name>_after` / `<name>_before` as ISO 8601 times between 2000 and 2100; an
    offset is turned into UTC, so a far-off offset is a time like any other."""

    field_class = SaneDateTimeRangeField
