"""Exchange-rate history: a trend plus a mean-reverting random walk per currency."""

import datetime as dt
import math
import random
from decimal import Decimal

from demo.generators.catalogue import CURRENCIES
from purchasing.models import FxRate

# How strongly a currency is pulled back to its trend each business day (0: not at all).
_REVERSION = 0.006


class FxTable:
    """Daily rates from `start` to `end`; a day without a quote uses the last business day's."""

    def __init__(self, *, rng: random.Random, start: dt.date, end: dt.date, base: str):
        if base not in CURRENCIES:
            supported = ", ".join(sorted(CURRENCIES))
            raise ValueError(f"Demo data supports these base currencies: {supported}.")
        # Start on a Monday so every day of the table has a stored quote on or before it.
        start -= dt.timedelta(days=start.weekday())
        self.start = start
        self.end = end
        self.base = base
        days = (end - start).days + 1
        self._eur_per_unit: dict[str, list[float]] = {}
        for currency, profile in sorted(CURRENCIES.items()):
            if currency == "EUR":
                self._eur_per_unit[currency] = [1.0] * days
                continue
            series = []
            deviation = 0.0
            for offset in range(days):
                day = start + dt.timedelta(days=offset)
                if day.weekday() < 5 and offset:
                    deviation = deviation * (1 - _REVERSION) + rng.gauss(
                        0, profile.daily_volatility
                    )
                years_before_end = (end - day).days / 365.0
                trend = -profile.yearly_drift * years_before_end
                series.append(profile.eur_per_unit * math.exp(trend + deviation))
            self._eur_per_unit[currency] = series
        # Rounded as stored, so amounts computed here match what the KPIs will see.
        self._to_base = {
            currency: [
                round(v / b, 8) for v, b in zip(values, self._eur_per_unit[base], strict=True)
            ]
            for currency, values in self._eur_per_unit.items()
        }
        # Weekend days use Friday's quote, as a lookup of the latest rate on or before would.
        self._quote_offset = [
            offset - max(0, (start + dt.timedelta(days=offset)).weekday() - 4)
            for offset in range(days)
        ]

    @property
    def currencies(self) -> list[str]:
        return sorted(c for c in self._to_base if c != self.base)

    def rate(self, currency: str, day: dt.date) -> float:
        """Base-currency units per one unit of `currency` on `day` (base: 1)."""
        if currency == self.base:
            return 1.0
        offset = min(max((day - self.start).days, 0), len(self._quote_offset) - 1)
        return self._to_base[currency][self._quote_offset[offset]]

    def stored_rates(self) -> list[FxRate]:
        """One rate per business day for every non-base currency."""
        rates = []
        for currency in self.currencies:
            series = self._to_base[currency]
            for offset, value in enumerate(series):
                day = self.start + dt.timedelta(days=offset)
                if day.weekday() < 5:
                    rates.append(FxRate(currency=currency, date=day, rate=Decimal(f"{value:.8f}")))
        return rates
