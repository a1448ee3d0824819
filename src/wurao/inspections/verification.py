"""Verifying a 行政行为码 at the enterprise's door (public: the scan page, the verify API, the
CLI): the signature and window offline, then the platform's record of use and revocation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core.time import format_local, utcnow
from wurao.inspections import codes
from wurao.inspections.models import ActionCode, InspectionTask
from wurao.inspections.service import TaskBundle, bundle


@dataclass
class ScanResult:
    """What the enterprise's scan shows: the offline verdict, the online record, the task."""

    verified: codes.Verified
    code: ActionCode | None = None
    bundle: TaskBundle | None = None

    @property
    def status(self) -> codes.CodeState:
        """The one state of the code: a forged or unknown code first, then the record
        (revoked, used), then the window; only a genuine, recorded, unused code inside its
        window is ``VALID``."""
        if not self.verified.genuine:
            return codes.CodeState.INVALID
        if self.code is None:
            return codes.CodeState.UNKNOWN
        if self.code.status == "revoked":
            return codes.CodeState.REVOKED
        if self.code.status == "used":
            return codes.CodeState.USED
        return self.verified.state

    @property
    def may_enter(self) -> bool:
        """Whether the officers may inspect on this code now."""
        return self.status.may_enter

    @property
    def message(self) -> str:
        """The state and what it means at the door, in one sentence (Chinese)."""
        return f"{self.status.label}：{self.status.advice}"

    @property
    def detail(self) -> str:
        """The fact behind the state (when revoked, used, the window), never another verdict."""
        state, code = self.status, self.code
        if state is codes.CodeState.INVALID:
            return self.verified.reason
        if code is None:
            return "签名真实，但平台没有此码的记录（码标识不存在）。"
        window = f"{code.valid_from:%Y-%m-%d} 至 {code.valid_to:%Y-%m-%d}"
        if state is codes.CodeState.REVOKED:
            return f"此码已于 {format_local(code.revoked_at)} 被撤销。"
        if state is codes.CodeState.USED:
            return f"本次检查已于 {format_local(code.used_at)} 完成，此码已使用。"
        if state is codes.CodeState.EXPIRED:
            return f"检查时间窗口（{window}）已经结束。"
        if state is codes.CodeState.NOT_YET:
            return f"检查时间窗口为 {window}，尚未开始。"
        return f"签名真实，且在检查时间窗口内（{window}）。"


def verify_token(
    session: Session, token: str, *, now: dt.datetime | None = None, details: bool = True
) -> ScanResult:
    """Verify a token: signature and window offline, then use/revocation online."""
    verified = codes.verify(token, codes.keys_from_db(session), at=now or utcnow())
    result = ScanResult(verified)
    if not verified.genuine:
        return result
    result.code = session.scalar(
        select(ActionCode).where(ActionCode.jti == verified.claims.get("jti"))
    )
    if result.code is not None and details:
        task = session.get(InspectionTask, result.code.task_id)
        assert task is not None
        result.bundle = bundle(session, task, checklists=True)
    return result


def scan_url(base: str, token: str) -> str:
    """The URL a code's QR encodes."""
    return f"{base.rstrip('/')}/v/{token}"
