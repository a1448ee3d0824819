"""Demo major-decision filings (D25, #12).

The demo cases' decisions open their filings themselves (the ``case.decided`` event): in
柯城区 the two 市场监管局 decisions whose fine reaches the 较大数额 for an organisation (50 000
and 100 000 yuan). This module moves them on through the services with dates after each
decision, oldest first: the first is never filed (the sweep raises its D25 alert), the second
is filed in time, returned with a 监督意见 and filed again (waiting for the supervisor's
review); a third would be accepted and any further one left due.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.core import workdays
from wurao.oversight.filings import service
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.filings.statuses import FilingStatus

COUNTY = "330802"
SUPERVISOR = "kc_sfj"
SUBJECT_ADMIN = "kc_scjg_admin"
REPORT = (
    "本案违法事实清楚，证据确凿，适用依据正确，程序合法：已告知听证权利，经法制审核和负责人"
    "集体讨论决定，罚款数额在裁量基准幅度内。现将行政处罚决定书、法制审核意见书和主要证据报备。"
)
OPINION = (
    "经审查，决定书对货值金额的认定依据说明不足，未附进货单据的核对记录；请补充货值认定的"
    "说理和证据目录后重新报备。"
)
REFILED = (
    "已按监督意见补充货值金额的认定说理（以进货单据和销售台账核对，货值金额见证据目录第2项），"
    "并附证据目录，重新报备。"
)


def _after(filing: MajorFiling, working_days: int) -> dt.date:
    return workdays.add_working_days(filing.decided_on, working_days)


def generate(session: Session) -> str:
    """Move the demo's filings to their states; a one-line Chinese summary."""
    users = {
        u.username: u
        for u in session.scalars(select(User).where(User.username.in_([SUPERVISOR, SUBJECT_ADMIN])))
    }
    if SUPERVISOR not in users or SUBJECT_ADMIN not in users:
        return ""
    supervisor = auth_service.actor_for(users[SUPERVISOR])
    admin = auth_service.actor_for(users[SUBJECT_ADMIN])
    filings = [
        f
        for f in session.scalars(
            select(MajorFiling)
            .where(MajorFiling.status == FilingStatus.DUE.value)
            .order_by(MajorFiling.decided_on, MajorFiling.id)
        )
        if f.region_code.startswith(COUNTY) and f.subject_id == admin.subject_id
    ]
    done = {"late": 0, "returned": 0, "accepted": 0, "due": 0}
    for n, filing in enumerate(filings):
        role = ("late", "returned", "accepted")[n] if n < 3 else "due"
        done[role] += 1
        if role in ("late", "due"):
            continue
        service.file(session, filing=filing, actor=admin, report=REPORT, on=_after(filing, 3))
        if role == "accepted":
            service.accept(session, filing=filing, actor=supervisor, on=_after(filing, 6))
            continue
        service.send_back(
            session, filing=filing, actor=supervisor, opinion=OPINION, on=_after(filing, 6)
        )
        service.file(session, filing=filing, actor=admin, report=REFILED, on=_after(filing, 9))
    if not filings:
        return ""
    words = {
        "late": "逾期未报备",
        "returned": "退回后重新报备待审查",
        "accepted": "审查通过",
        "due": "待报备",
    }
    parts = "，".join(f"{words[k]} {n} 件" for k, n in done.items() if n)
    return f"重大执法决定备案 {len(filings)} 件：{parts}"
