"""What every part of the demo data shares: the demo regions, the generator's audit actor, the
epoch of generated timestamps, and the shift of dates when the demo is set up in a later year."""

from __future__ import annotations

import datetime as dt

from wurao.core import audit
from wurao.core.time import local_today

CITY = "330800"  # 衢州市
PROVINCE = "330000"  # 浙江省
GENERATOR = audit.SystemActor(display_name="演示数据生成器")
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DEMO_YEAR = 2026  # the year the registries were drawn for


def years_on() -> int:
    """Whole years since DEMO_YEAR: certificate and annual-review dates move on by as much,
    so that the demo's officers may still inspect when it is set up in a later year."""
    return max(0, local_today().year - DEMO_YEAR)


def later(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` on (28 February for 29 February)."""
    if not years:
        return day
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    return day.replace(year=day.year + years)
