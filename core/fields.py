"""Fields every API and form shares: sane dates and times, ISO codes, positive decimals,
strict text."""

import datetime as dt

from django import forms
from rest_framework import serializers

from core.iso_codes import COUNTRY_CODES, CURRENCY_CODES
from core.units import unit_code, unit_error

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class SaneDateField(serializers.DateField):
    """An ISO date between 2000 and 2100; anything else is a typo, not a business date."""

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            raise serializers.ValidationError(
                f"Use a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
            )
        return date


def sane_moment(moment: dt.datetime) -> dt.datetime:
    """A time between 2000 and 2100, in UTC when it carries an offset (an offset past
    ±15:59 is valid ISO 8601 but no database stores it). ValueError names the range."""
    try:
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC)
    except OverflowError:  # year 1 minus an offset, year 9999 plus one
        moment = dt.datetime.min
    if not EARLIEST_DATE.year <= moment.year <= LATEST_DATE.year:
        raise ValueError(f"Use a time between {EARLIEST_DATE.year} and {LATEST_DATE.year}.")
    return moment


class SaneDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        try:
            return sane_moment(super().to_internal_value(value))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class SaneFormDateTimeField(forms.DateTimeField):
    """The form twin of SaneDateTimeField, for pages and query-string filters."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return sane_moment(moment)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="out_of_range") from exc


class CodeField(serializers.CharField):
    """An ISO code: trimmed, upper-cased, and checked against the official list."""

    def __init__(self, *, codes: frozenset[str], noun: str, **kwargs):
        self.codes = codes
        self.noun = noun
        length = len(next(iter(codes)))
        kwargs.setdefault("max_length", length)
        kwargs.setdefault("min_length", length)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip().upper()
        if value and value not in self.codes:
            raise serializers.ValidationError(f"'{value[:10]}' is not an {self.noun}.")
        return value


def CurrencyField(**kwargs) -> CodeField:  # noqa: N802 - reads like a field class
    return CodeField(codes=CURRENCY_CODES, noun="ISO 4217 currency code such as EUR", **kwargs)


def country_code(value) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code or an English country name, any case
    ("de", "Germany" → "DE"); None when it is neither."""
    from django_countries import countries

    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.upper() in COUNTRY_CODES:
        return text.upper()
    if len(text) < 3:
        return None
    code = countries.by_name(text)  # exact English name, case-insensitive
    if not code:
        code = _official_names().get(text.lower())
    return code if isinstance(code, str) and code in COUNTRY_CODES else None


def _official_names() -> dict[str, str]:
    """Official and common English names ("United States of America", "Bolivia") → code;
    never the alpha-3 codes (an API takes alpha-2 codes or names)."""
    global _NAMES
    if _NAMES is None:
        import pycountry

        _NAMES = {}
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                name = getattr(country, attribute, None)
                if name:
                    _NAMES[name.lower()] = country.alpha_2
    return _NAMES


_NAMES: dict[str, str] | None = None


class CountryCodeField(serializers.CharField):
    """A country as an ISO 3166-1 alpha-2 code or its English name ("Germany" → DE);
    anything else is a 400, never truncated to two letters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault(
            "help_text", "ISO 3166-1 alpha-2 code (DE) or English name (Germany); answered as code."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        code = country_code(value)
        if code is None:
            raise serializers.ValidationError(
                f"'{value[:40]}' is not an ISO 3166-1 country code such as DE or a country's "
                "English name such as Germany."
            )
        return code

    def to_representation(self, value):
        return str(value) if value else value


def CountryField(**kwargs) -> CountryCodeField:  # noqa: N802 - reads like a field class
    return CountryCodeField(**kwargs)


class PositiveDecimalField(serializers.DecimalField):
    """A decimal strictly above zero (quantities)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value <= 0:
            raise serializers.ValidationError("Must be more than zero.", code="not_positive")
        return value


class StrictCharField(serializers.CharField):
    """Text only: a number or a boolean where text is expected is a mistake, not a code."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be text.", code="invalid")
        return super().to_internal_value(data)


class UnitField(serializers.CharField):
    """A unit of measure as ERPs send it (`pcs`, `KGM`, `each`): stored as its Rec 20 code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text",
            "UN/ECE Rec 20 code or everyday alias, any case: C62, H87/pcs, EA/each, KGM/kg, "
            "MTR/m, LTR/l, SET, PR/pair, BX/box, ... Answered as the code.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = unit_code(data)
        if code is None:
            raise serializers.ValidationError(unit_error(data), code="invalid_unit")
        return code
