"""DAY-NEXT-YEAR: next year's holiday schedule is missing (``wurao.core.rules.DAY_NEXT_YEAR``).

Why in oversight: it is a supervision rule — it returns ``Finding``\\s for the sweep — while the
calendar table and the banner that warns the administrator (``admin.service.schedule_warning``)
belong to admin. Kept here, admin stays below oversight and the two never import each other
in a circle (tests/test_import_layers.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.admin.service import WARN_FROM
from wurao.auth.models import User
from wurao.auth.permissions import Role
from wurao.core import rules as catalogue
from wurao.core.holidays import load_calendar, schedule_due
from wurao.core.policy import NATIONAL, get_policy
from wurao.oversight.rule_base import Context, Finding


def next_year_findings(session: Session, ctx: Context) -> list[Finding]:
    """One finding per supervising region (DAY-NEXT-YEAR) while next year's schedule is missing.

    Alerts are seen within a region's scope, so each supervisor's region gets its own; with no
    supervisor at all the national one reaches the system administrator. The dedup key names
    the year, so the nightly sweep raises each once.
    """
    regions = set(
        session.scalars(
            select(User.region_code).where(
                User.role == Role.SUPERVISOR.value, User.is_active.is_(True)
            )
        )
    ) or {NATIONAL}
    cal = load_calendar(session)
    out: list[Finding] = []
    for region in sorted(regions):
        year = schedule_due(cal, ctx.today, get_policy().value(WARN_FROM, region, ctx.today))
        if year is None:
            continue
        out.append(
            Finding(
                dedup_key=f"{catalogue.DAY_NEXT_YEAR.id}:{year}:{region}",
                region_code=region,
                detail=(
                    f"尚未导入{year}年法定节假日安排：{year}年的工作日无法计算，"
                    f"跨年的期限届时将无法计算。请在国务院办公厅通知发布后，由系统管理员在"
                    f"“节假日安排”页面或用 wurao calendar import 导入。"
                ),
            )
        )
    return out
