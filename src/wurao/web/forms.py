"""Parsing of form fields shared by the page routes: Chinese errors naming the field.

Numbers are ASCII digits within a bound (a Unicode digit such as "²" or a 20-digit id used to
reach ``int()`` or SQL and answer 500).
"""

from __future__ import annotations

import datetime as dt

from wurao.core.errors import InvalidInput
from wurao.web.labels import label_of
from wurao.web.params import MAX_ID, MAX_YEAR, MIN_YEAR


def form_date(value: str, field: str) -> dt.date | None:
    """A YYYY-MM-DD form value, or None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。", field=field) from None


def form_int(value: str, field: str, *, maximum: int = MAX_ID) -> int | None:
    """A whole-number form value (0 to ``maximum``), or None when empty."""
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput("请填写数字。", field=field)
    if len(value) > len(str(maximum)) or int(value) > maximum:
        raise InvalidInput(f"「{label_of(field)}」不能大于{maximum}。", field=field)
    return int(value)


def required_int(value: str, field: str, *, maximum: int = MAX_ID) -> int:
    """A whole-number form value that must be present."""
    number = form_int(value, field, maximum=maximum)
    if number is None:
        raise InvalidInput("请填写数字。", field=field)
    return number


def form_year(value: str, field: str = "year") -> int | None:
    """A year between 2000 and 2100, or None when empty."""
    year = form_int(value, field, maximum=MAX_YEAR)
    if year is not None and year < MIN_YEAR:
        raise InvalidInput(f"「{label_of(field)}」应在{MIN_YEAR}至{MAX_YEAR}之间。", field=field)
    return year
