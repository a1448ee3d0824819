"""Verifying a 行政行为码 at the enterprise's door (public: the scan page, the verify API, the
CLI): the signature and window offline, then the platform's record of use and revocation.

The request path does only what the verdict needs: the key set and a token's verified claims
come from memory (``codes.known_keys``, ``codes.verify``: both immutable), and the code's
mutable state — valid, used, revoked — is read from the database on every request with one
indexed query, so a revocation is refused by every worker from its next request on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from wurao.core.time import format_local, utcnow
from wurao.inspections import codes
from wurao.inspections.models import ActionCode
from wurao.inspections.service import TaskBundle, bundle_of_code


@dataclass(frozen=True)
class CodeRecord:
    """What the verdict needs of the ``action_code`` row (read as plain columns, no ORM)."""

    task_id: int
    number: str
    status: str
    late: bool
    valid_from: dt.date
    valid_to: dt.date
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None


_COLUMNS = (
    ActionCode.task_id,
    ActionCode.number,
    ActionCode.status,
    ActionCode.late,
    ActionCode.valid_from,
    ActionCode.valid_to,
    ActionCode.used_at,
    ActionCode.revoked_at,
)
_RECORD = select(*_COLUMNS).where(ActionCode.jti == bindparam("jti"))


@dataclass
class ScanResult:
    """What the enterprise's scan shows: the offline verdict, the online record, the task."""

    verified: codes.Verified
    code: CodeRecord | None = None
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
    at = now or utcnow()
    keys = codes.known_keys(session)
    verified = codes.verify(token, keys, at=at)
    if not verified.genuine and verified.kid:
        # A kid the cached set lacks (a rotation) or whose key changed: read the set again,
        # and check again if that changes the key the token names.
        fresh = codes.known_keys(session, reload=True)
        if fresh.get(verified.kid) is not keys.get(verified.kid):
            verified = codes.verify(token, fresh, at=at)
    result = ScanResult(verified)
    if not verified.genuine:
        return result
    session.flush()  # what the caller changed in this session (a CLI, a test) counts
    jti = verified.claims.get("jti")
    if not details:
        # Core on the session's connection: the same transaction, without the ORM's machinery.
        row = session.connection().execute(_RECORD, {"jti": jti}).one_or_none()
        result.code = CodeRecord(*row) if row is not None else None
        return result
    # The scan page: the record's columns (read fresh, whatever the session holds) and the
    # task around it in two statements, however many officers and items (#18).
    found = bundle_of_code(session, ActionCode.jti == jti, columns=_COLUMNS, checklists=True)
    if found is not None:
        result.code, result.bundle = CodeRecord(*found[0]), found[1]
    return result


def scan_url(base: str, token: str) -> str:
    """The URL a code's QR encodes."""
    return f"{base.rstrip('/')}/v/{token}"
