"""Time: timestamps are stored in UTC and shown in Asia/Shanghai; legal dates are local dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def to_local(value: dt.datetime) -> dt.datetime:
    """Convert an aware timestamp to Asia/Shanghai time."""
    if value.tzinfo is None:
        raise ValueError("naive datetime cannot be converted")
    return value.astimezone(LOCAL_TZ)


def local_today() -> dt.date:
    """Today's date in Asia/Shanghai: the date legal periods are counted from."""
    return utcnow().astimezone(LOCAL_TZ).date()


def local_date(value: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an aware timestamp."""
    return to_local(value).date()


def format_local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a timestamp in local time for pages and documents."""
    return "" if value is None else to_local(value).strftime(fmt)
