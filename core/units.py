"""Units of measure: one canonical UN/ECE Recommendation 20 code per unit, and the
everyday spellings ERPs and spreadsheets send for it (docs/api.md).

`unit_normalise` is the one place input becomes a stored code; API, imports, forms and the
part services all call it.
"""

from django.core.exceptions import ValidationError

# Canonical code → label. Counted units keep their own Rec 20 code (C62 "one", H87
# "piece", EA "each"): ERPs use them interchangeably, but a part's unit is what its
# supplier quotes in, so they are not merged.
UNITS: dict[str, str] = {
    "C62": "unit (one)",
    "H87": "piece",
    "EA": "each",
    "KGM": "kilogram",
    "GRM": "gram",
    "TNE": "tonne",
    "MTR": "metre",
    "MMT": "millimetre",
    "CMT": "centimetre",
    "KMT": "kilometre",
    "MTK": "square metre",
    "LTR": "litre",
    "MLT": "millilitre",
    "MTQ": "cubic metre",
    "SET": "set",
    "PR": "pair",
    "BX": "box",
    "PK": "pack",
    "ROL": "roll",
    "CT": "carton",
    "DZN": "dozen",
    "HUR": "hour",
}

# Units counted in whole numbers: a demand split never orders a fraction of one.
COUNTED_UNITS = frozenset({"C62", "H87", "EA", "SET", "PR", "BX", "PK", "ROL", "CT", "DZN"})

# Everyday spellings (compared lower-case, inner spaces and dots dropped) → canonical code.
ALIASES: dict[str, str] = {
    "one": "C62",
    "unit": "C62",
    "units": "C62",
    "pcs": "H87",
    "pc": "H87",
    "piece": "H87",
    "pieces": "H87",
    "stk": "H87",
    "st": "H87",
    "ea": "EA",
    "each": "EA",
    "kg": "KGM",
    "kgs": "KGM",
    "kilogram": "KGM",
    "kilograms": "KGM",
    "g": "GRM",
    "gr": "GRM",
    "gram": "GRM",
    "grams": "GRM",
    "t": "TNE",
    "tonne": "TNE",
    "tonnes": "TNE",
    "m": "MTR",
    "metre": "MTR",
    "metres": "MTR",
    "meter": "MTR",
    "meters": "MTR",
    "mm": "MMT",
    "cm": "CMT",
    "km": "KMT",
    "m2": "MTK",
    "m²": "MTK",
    "sqm": "MTK",
    "l": "LTR",
    "ltr": "LTR",
    "litre": "LTR",
    "litres": "LTR",
    "liter": "LTR",
    "liters": "LTR",
    "ml": "MLT",
    "m3": "MTQ",
    "m³": "MTQ",
    "cbm": "MTQ",
    "set": "SET",
    "sets": "SET",
    "pair": "PR",
    "pairs": "PR",
    "box": "BX",
    "boxes": "BX",
    "pack": "PK",
    "packs": "PK",
    "pkg": "PK",
    "roll": "ROL",
    "rolls": "ROL",
    "carton": "CT",
    "ctn": "CT",
    "dozen": "DZN",
    "dz": "DZN",
    "h": "HUR",
    "hr": "HUR",
    "hour": "HUR",
    "hours": "HUR",
}

_LOOKUP: dict[str, str] = {
    **{alias: code for alias, code in ALIASES.items()},
    **{code.lower(): code for code in UNITS},
}

UNIT_CHOICES: list[tuple[str, str]] = [(code, f"{code} ({label})") for code, label in UNITS.items()]
DEFAULT_UNIT = "EA"
EXAMPLES = "C62, H87 (pcs), EA (each), KGM (kg), MTR (m), LTR (l), SET, PR (pair), BX (box)"


def unit_code(value) -> str | None:
    """The canonical code for a unit as sent (any case, code or alias); None if unknown."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower().replace(" ", "").replace(".", "")
    return _LOOKUP.get(key)


def unit_error(value) -> str:
    shown = str(value)[:20]
    return f"'{shown}' is not a unit we know. Use a UN/ECE Rec 20 code or alias, e.g. {EXAMPLES}."


def unit_normalise(value) -> str:
    """The canonical code, or a ValidationError naming a few accepted units."""
    code = unit_code(value)
    if code is None:
        raise ValidationError({"unit": unit_error(value)})
    return code
