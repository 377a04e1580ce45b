"""PostgreSQL array parameters: one value per column, however many rows."""

from decimal import Decimal


def _element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | float | Decimal):  # bool is an int: True/False parse too
        return str(value)
    text = str(value)
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def pg_array(values) -> str:
    """A PostgreSQL array literal (`{1,"text",NULL}`) to pass as one parameter cast to
    `type[]`: the server parses it as one value, where a list becomes an ARRAY[…] of as
    many expressions (several times slower to plan at thousands of rows)."""
    values = list(values)
    if all(type(v) is int for v in values):  # ids: nothing to quote
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(_element, values)) + "}"
