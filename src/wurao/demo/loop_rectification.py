"""Demo rectification of the sweep's alerts: 风险提示函 sent for some new alerts of 柯城区, so
that the supervisor has answers waiting for 核实, the 市场监管局 administrator has items to
answer (one returned once), and two subjects are past their deadline.

Everything goes through the services (engine.notify, rectification.answer/accept/send_back),
so the items, events, inbox messages and audit entries are the ones a real user would leave.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.core import workdays
from wurao.core.time import local_today
from wurao.oversight import engine
from wurao.oversight.models import Alert
from wurao.oversight.rectification import service as rectification

COUNTY = "330802"
SUPERVISOR = "kc_sfj"
SUBJECT_ADMIN = "kc_scjg_admin"


def generate(session: Session) -> str:
    """Notify, answer, return and accept a handful of alerts; a one-line summary."""
    users = {u.username: u for u in session.scalars(select(User))}
    if SUPERVISOR not in users or SUBJECT_ADMIN not in users:
        return ""
    supervisor = auth_service.actor_for(users[SUPERVISOR])
    admin = auth_service.actor_for(users[SUBJECT_ADMIN])
    new = list(
        session.scalars(
            select(Alert)
            .where(
                Alert.region_code == COUNTY,
                Alert.status == "new",
                Alert.subject_id.is_not(None),
            )
            .order_by(Alert.id)
        )
    )
    own = [a for a in new if a.subject_id == admin.subject_id][:5]
    others = [a for a in new if a.subject_id != admin.subject_id][:3]
    today = local_today()
    long_ago = _working_days_before(today, 25)
    counts = {"answered": 0, "accepted": 0, "returned": 0, "overdue": 0}

    # other subjects were told a month ago and have not answered: overdue
    for alert in others:
        engine.notify(session, alert=alert, actor=supervisor, note="请核查并整改。", today=long_ago)
        counts["overdue"] += 1
    for n, alert in enumerate(own):
        opened = long_ago if n == 4 else today
        engine.notify(session, alert=alert, actor=supervisor, note="请核查并整改。", today=opened)
        item = rectification.current_item(session, source_kind="alert", source_id=alert.id)
        assert item is not None
        if n in (0, 1, 2):
            engine.respond(
                session,
                alert=alert,
                actor=admin,
                response="已逐户核查，相关检查人员已作书面说明，补录了检查依据并组织培训。",
            )
            counts["answered"] += 1
        if n == 1:
            rectification.accept(session, item=item, actor=supervisor, note="经核实，整改到位。")
            counts["accepted"] += 1
        if n == 2:
            rectification.send_back(
                session, item=item, actor=supervisor, note="未附培训记录和书面说明，请补充。"
            )
            counts["returned"] += 1
        if n == 4:
            counts["overdue"] += 1
    return (
        f"整改事项：答复{counts['answered']}件（销号{counts['accepted']}件、"
        f"退回{counts['returned']}件），超期未答复{counts['overdue']}件"
    )


def _working_days_before(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days before ``day`` (demo dates only)."""
    out = day
    while n > 0:
        out -= dt.timedelta(days=1)
        if workdays.is_working_day(out):
            n -= 1
    return out
