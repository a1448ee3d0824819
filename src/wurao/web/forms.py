"""Parsing of form fields shared by the page routes: Chinese errors naming the field."""

from __future__ import annotations

import datetime as dt
import math

from wurao.core.errors import InvalidInput


def page_count(total: int, per_page: int = 20) -> int:
    """Number of pages for a list (at least one)."""
    return max(1, math.ceil(total / per_page))


def form_date(value: str, field: str) -> dt.date | None:
    """A YYYY-MM-DD form value, or None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。", field=field) from None


def form_int(value: str, field: str) -> int | None:
    """A whole-number form value, or None when empty."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("请填写数字。", field=field)
    return int(value)


def required_int(value: str, field: str) -> int:
    """A whole-number form value that must be present."""
    number = form_int(value, field)
    if number is None:
        raise InvalidInput("请填写数字。", field=field)
    return number
