"""Fast paths for bulk endpoints: DRF's rules, without DRF's per-field overhead.

DRF spends ~140 µs validating one receipt, which alone would cap bulk ingest near
7,000 receipts/s before any database work. `FastItemValidator` is compiled from a
serializer's own field declarations, so the rules still live in one place: it accepts
only clean, unambiguous input (exact JSON types, ISO dates, no stray whitespace) and
returns exactly what DRF would return; anything else — including every invalid item —
returns FAIL and goes through DRF's normal validation, which produces the error
messages. `FastRepresenter` does the same for output. `tests/api/test_fastpath.py`
checks, over generated input, that both agree with DRF whenever they answer.
"""

import datetime as dt
import decimal
from operator import attrgetter

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from rest_framework import serializers
from rest_framework.fields import ProhibitSurrogateCharactersValidator, SkipField, empty
from rest_framework.relations import PKOnlyObject

FAIL = object()
_ABSENT = object()
_ERRORS = (serializers.ValidationError, DjangoValidationError, SkipField, ValueError, TypeError)
_BUILT_IN_TEXT_VALIDATORS = (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)
_BUILT_IN_RANGE_VALIDATORS = (MaxValueValidator, MinValueValidator)


def _run(validators, value) -> bool:
    try:
        for validator in validators:
            validator(value)
    except _ERRORS:
        return False
    return True


def _text_parser(field):
    extra = [v for v in field.validators if not isinstance(v, _BUILT_IN_TEXT_VALIDATORS)]
    low, high = field.min_length or 0, field.max_length

    def parse(value):
        if type(value) is not str:
            return FAIL
        if not value:
            return "" if field.allow_blank else FAIL
        if field.trim_whitespace and (value[0].isspace() or value[-1].isspace()):
            return FAIL
        if len(value) < low or (high is not None and len(value) > high):
            return FAIL
        if not value.isascii() or "\x00" in value:
            return FAIL
        return value if _run(extra, value) else FAIL

    return parse


def _range_check(field):
    """min/max as plain comparisons; any other validator is run as declared."""
    low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
    extra = [v for v in field.validators if not isinstance(v, _BUILT_IN_RANGE_VALIDATORS)]

    def check(value) -> bool:
        if low is not None and value < low:
            return False
        if high is not None and value > high:
            return False
        return _run(extra, value) if extra else True

    return check


def _integer_parser(field):
    in_range = _range_check(field)

    def parse(value):
        if type(value) is not int:
            return FAIL
        return value if in_range(value) else FAIL

    return parse


def _decimal_parser(field, *, positive: bool):
    """DRF's DecimalField: digits, places and whole digits checked, then quantized."""
    in_range = _range_check(field)
    places, max_digits, max_whole = field.decimal_places, field.max_digits, field.max_whole_digits
    exponent = decimal.Decimal(1).scaleb(-places) if places is not None else None
    context = decimal.Context(prec=max_digits) if max_digits is not None else None

    def parse(value):
        kind = type(value)
        if kind is int:
            value = str(value)
        elif kind is not str or not value or len(value) > 30 or value != value.strip():
            return FAIL
        try:
            number = decimal.Decimal(value)
        except decimal.DecimalException:
            return FAIL
        if not number.is_finite():
            return FAIL
        _, digits, exp = number.as_tuple()
        if exp >= 0:
            total = whole = len(digits) + exp
            decimals = 0
        elif len(digits) > -exp:
            total, decimals = len(digits), -exp
            whole = total - decimals
        else:
            total = decimals = -exp
            whole = 0
        if (
            (max_digits is not None and total > max_digits)
            or (places is not None and decimals > places)
            or (max_whole is not None and whole > max_whole)
        ):
            return FAIL
        if exponent is not None:
            try:
                number = number.quantize(exponent, rounding=field.rounding, context=context)
            except decimal.DecimalException:
                return FAIL
        if positive and number <= 0:
            return FAIL
        return number if in_range(number) else FAIL

    return parse


def _date_parser(field, *, earliest: dt.date, latest: dt.date):
    def parse(value):
        if type(value) is not str or len(value) != 10:
            return FAIL
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            return FAIL
        if not earliest <= date <= latest:
            return FAIL
        return date if _run(field.validators, date) else FAIL

    return parse


def _code_parser(field):
    codes = field.codes

    def parse(value):
        return value if type(value) is str and value in codes else FAIL

    return parse


def _choice_parser(field):
    choices = field.choice_strings_to_values

    def parse(value):
        if type(value) is not str or value not in choices:
            return FAIL
        return choices[value] if _run(field.validators, choices[value]) else FAIL

    return parse


def _generic_parser(field):
    """Any other field: DRF's own per-field validation (still skips the serializer loop)."""

    def parse(value):
        try:
            return field.run_validation(value)
        except _ERRORS:
            return FAIL

    return parse


def _parser(field):
    from core.fields import (
        EARLIEST_DATE,
        LATEST_DATE,
        CodeField,
        PositiveDecimalField,
        SaneDateField,
        StrictCharField,
    )

    kind = type(field)
    if kind in (serializers.CharField, StrictCharField):
        return _text_parser(field)
    if kind is serializers.IntegerField:
        return _integer_parser(field)
    if kind in (serializers.DecimalField, PositiveDecimalField):
        return _decimal_parser(field, positive=kind is PositiveDecimalField)
    if kind is SaneDateField:
        return _date_parser(field, earliest=EARLIEST_DATE, latest=LATEST_DATE)
    if kind is CodeField:
        return _code_parser(field)
    if kind is serializers.ChoiceField:
        return _choice_parser(field)
    return _generic_parser(field)


class FastItemValidator:
    """`validator(data)` → the validated item as DRF would return it, or FAIL."""

    def __init__(self, serializer):
        self.serializer = serializer
        self.steps = []
        for field in serializer._writable_fields:
            attrs = field.source_attrs
            self.steps.append(
                (
                    field.field_name,
                    attrs[0] if len(attrs) == 1 else None,  # the common, flat case
                    attrs,
                    _parser(field),
                    field.required,
                    field.default,
                    field.allow_null,
                    getattr(serializer, f"validate_{field.field_name}", None),
                )
            )

    def __call__(self, data):
        if type(data) is not dict:
            return FAIL
        validated = {}
        get = data.get
        for name, key, attrs, parse, required, default, allow_null, validate in self.steps:
            value = get(name, _ABSENT)
            if value is _ABSENT:
                if required:
                    return FAIL
                if default is empty:
                    continue
                if callable(default):
                    if getattr(default, "requires_context", False):
                        return FAIL
                    value = default()
                else:
                    value = default
            elif value is None:
                if not allow_null:
                    return FAIL
            else:
                value = parse(value)
                if value is FAIL:
                    return FAIL
            if validate is not None:
                try:
                    value = validate(value)
                except _ERRORS:
                    return FAIL
            if key is not None:
                validated[key] = value
                continue
            target = validated
            for attr in attrs[:-1]:
                target = target.setdefault(attr, {})
            target[attrs[-1]] = value
        try:
            return self.serializer.validate(self.serializer.flatten(validated))
        except _ERRORS:
            return FAIL


def _iso(field) -> bool:
    from rest_framework.settings import api_settings

    if field.__class__.to_representation not in (
        serializers.DateField.to_representation,
        serializers.DateTimeField.to_representation,
    ):
        return False
    default = (
        api_settings.DATETIME_FORMAT
        if isinstance(field, serializers.DateTimeField)
        else api_settings.DATE_FORMAT
    )
    output_format = getattr(field, "format", default)
    return isinstance(output_format, str) and output_format.lower() == "iso-8601"


def _converter(field):
    """A cheap equivalent of field.to_representation for the common types, else itself."""
    kind = type(field)
    represent = field.to_representation
    if kind.to_representation is serializers.CharField.to_representation:
        return str
    if kind.to_representation is serializers.IntegerField.to_representation:
        return int
    if isinstance(field, serializers.DecimalField) and (
        kind.to_representation is serializers.DecimalField.to_representation
        and getattr(field, "coerce_to_string", api_settings_coerce())
        and not field.localize
        and not field.normalize_output
        and field.decimal_places is not None
    ):
        exponent = decimal.Decimal(1).scaleb(-field.decimal_places)
        context = decimal.Context(prec=field.max_digits) if field.max_digits else None
        rounding = field.rounding

        def decimal_text(value):
            if type(value) is not decimal.Decimal:
                return represent(value)
            return f"{value.quantize(exponent, rounding=rounding, context=context):f}"

        return decimal_text
    if isinstance(field, serializers.DateTimeField) and _iso(field):
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()

        def datetime_text(value):
            if type(value) is not dt.datetime or value.tzinfo is None or zone is None:
                return represent(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return datetime_text
    if isinstance(field, serializers.DateField) and _iso(field):

        def date_text(value):
            return value.isoformat() if type(value) is dt.date else represent(value)

        return date_text
    return represent


def api_settings_coerce() -> bool:
    from rest_framework.settings import api_settings

    return api_settings.COERCE_DECIMAL_TO_STRING


_SIMPLE_OUTPUT = (
    serializers.ListField,
    serializers.CharField,
    serializers.IntegerField,
    serializers.DecimalField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.ChoiceField,
    serializers.BooleanField,
)


class FastRepresenter:
    """`representer(obj)` → DRF's representation of obj, or FAIL when unsure."""

    def __init__(self, serializer):
        fields = list(serializer._readable_fields)
        self.names = [field.field_name for field in fields]
        self.steps = []
        for field in fields:
            simple = isinstance(field, _SIMPLE_OUTPUT) and field.source != "*"
            getter = attrgetter(".".join(field.source_attrs)) if simple else None
            convert = _converter(field) if simple else field.to_representation
            self.steps.append((field.field_name, field, getter, convert))
        # When every field is a plain attribute path, one C-level attrgetter reads them all.
        self.all_at_once = None
        if len(fields) > 1 and all(getter is not None for _, _, getter, _ in self.steps):
            self.all_at_once = attrgetter(*(".".join(f.source_attrs) for f in fields))
            self.converters = [convert for _, _, _, convert in self.steps]

    def __call__(self, instance):
        if self.all_at_once is not None:
            try:
                values = self.all_at_once(instance)
            except (AttributeError, ObjectDoesNotExist):
                return FAIL
            out = {}
            for name, value, convert in zip(self.names, values, self.converters, strict=True):
                if value is None:
                    out[name] = None
                elif callable(value):
                    return FAIL  # DRF would call it; leave that to DRF
                else:
                    out[name] = convert(value)
            return out
        out = {}
        for name, field, getter, represent in self.steps:
            if getter is None:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                except (AttributeError, KeyError, ObjectDoesNotExist):
                    return FAIL
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                out[name] = None if check is None else represent(attribute)
                continue
            try:
                attribute = getter(instance)
            except (AttributeError, ObjectDoesNotExist):
                return FAIL
            if attribute is None:
                out[name] = None
            elif callable(attribute):
                return FAIL  # DRF would call it; leave that to DRF
            else:
                out[name] = represent(attribute)
        return out
