"""Verifying a 行政行为码 at the enterprise's door (public: the scan page, the verify API, the
CLI): the signature and window offline, then the platform's record of use and revocation.

The request path does only what the verdict needs: the key set and a token's verified claims
come from memory (``codes.known_keys``, ``codes.verify``: both immutable), and the code's
mutable state — valid, used, revoked — is read from the database on every request with one
indexed query, so a revocation is refused by every worker from its next request on.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import OKPKey
from sqlalchemy import Engine, Select, bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from wurao.core.time import format_local, utcnow
from wurao.inspections import codes
from wurao.inspections.models import (
    ActionCode,
    InspectionTask,
    SigningKey,
    TaskItem,
    TaskObserver,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.service import TaskBundle, bundle_of_code
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)


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


def check(
    token: str, keys: Callable[[bool], Mapping[str, OKPKey]], *, at: dt.datetime
) -> codes.Verified:
    """The offline verdict with the cached key set (``keys(reload)``), read again when the
    token names a kid the set lacks or whose key changed (a rotation on another worker)."""
    known = keys(False)
    verified = codes.verify(token, known, at=at)
    if not verified.genuine and verified.kid:
        fresh = keys(True)
        if fresh.get(verified.kid) is not known.get(verified.kid):
            verified = codes.verify(token, fresh, at=at)
    return verified


def verify_token(
    session: Session, token: str, *, now: dt.datetime | None = None, details: bool = True
) -> ScanResult:
    """Verify a token: signature and window offline, then use/revocation online."""
    verified = check(
        token, lambda reload: codes.known_keys(session, reload=reload), at=now or utcnow()
    )
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


class _Statement:
    """A Core statement compiled once for the driver: its SQL, how to pass its parameters,
    and SQLAlchemy's own conversion of each result column (dates on SQLite, UTC times)."""

    def __init__(self, statement: Select[*tuple[Any, ...]], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names = list(compiled.positiontup or ()) if dialect.positional else None
        self.convert = [
            c.type.dialect_impl(dialect).result_processor(dialect, None)
            for c in statement.selected_columns
        ]

    def rows(self, cursor: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        args = params if self.names is None else tuple(params[n] for n in self.names)
        cursor.execute(self.sql, args)
        return [
            tuple(v if f is None else f(v) for f, v in zip(self.convert, row, strict=True))
            for row in cursor.fetchall()
        ]


# The scan page's reads in one statement: the record, and its task's observers (one row each,
# or one row of NULLs), in the order they joined.
_RECORD_AND_OBSERVERS = (
    select(*_COLUMNS, TaskObserver.name, TaskObserver.capacity)
    .select_from(ActionCode)
    .outerjoin(TaskObserver, TaskObserver.task_id == ActionCode.task_id)
    .where(ActionCode.jti == bindparam("jti"))
    .order_by(TaskObserver.added_at, TaskObserver.id)
)
_KEYS = select(SigningKey.kid, SigningKey.public_x)
# What the scan page shows of a task (the door's first render of a code), as plain columns in
# the order ``service.bundle_of_code`` gives them: the (subject, officer) pairs ordered as
# ``service.with_people`` orders them, then the items with their checklist lines.
_PEOPLE = (
    select(
        InspectionTask.method,
        Enterprise.name,
        EnforcementSubject.id,
        EnforcementSubject.name,
        Officer.id,
        Officer.name,
        Officer.cert_no,
    )
    .select_from(InspectionTask)
    .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
    .outerjoin(TaskSubject, TaskSubject.task_id == InspectionTask.id)
    .outerjoin(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
    .outerjoin(TaskOfficer, TaskOfficer.task_id == InspectionTask.id)
    .outerjoin(Officer, Officer.id == TaskOfficer.officer_id)
    .where(InspectionTask.id == bindparam("task"))
    .order_by(TaskSubject.lead.desc(), EnforcementSubject.id, Officer.name, Officer.id)
)
_ITEMS = (
    select(
        InspectionItem.id,
        InspectionItem.name,
        InspectionItem.code,
        InspectionItem.basis_law,
        InspectionItem.basis_article,
        ChecklistLine.id,
        ChecklistLine.text,
        ChecklistLine.basis,
    )
    .select_from(TaskItem)
    .join(InspectionItem, InspectionItem.id == TaskItem.item_id)
    .outerjoin(ChecklistLine, ChecklistLine.item_id == InspectionItem.id)
    .where(TaskItem.task_id == bindparam("task"))
    .order_by(InspectionItem.code, InspectionItem.id, ChecklistLine.seq)
)


@dataclass(frozen=True)
class Named:
    """An enterprise, a subject: what the scan page shows of it."""

    name: str


@dataclass(frozen=True)
class OfficerFacts:
    """An officer as the scan page shows one."""

    name: str
    cert_no: str | None


@dataclass(frozen=True)
class ItemFacts:
    """An inspection item as the scan page shows one."""

    id: int
    name: str
    code: str
    basis_law: str
    basis_article: str


@dataclass(frozen=True)
class LineFacts:
    """A checklist line as the scan page shows one."""

    text: str
    basis: str


@dataclass(frozen=True)
class TaskFacts:
    """What the scan page reads of a ``TaskBundle``, as plain values with the same attribute
    names (``templates/inspections/scan.html`` renders either): ``officers`` and ``items`` are
    pairs like the bundle's, the task's side (never shown) ``None``."""

    task: Any  # has ``method``
    enterprise: Named
    subjects: list[Named]
    officers: list[tuple[None, OfficerFacts]]
    items: list[tuple[None, ItemFacts]]
    checklists: dict[int, list[LineFacts]]


@dataclass(frozen=True)
class _Method:
    method: str


class CodeStates:
    """The door's reads (``inspections.door_api``): a code's record, its task's observers and the
    key set, each one indexed statement on the driver's connection — no session, no ORM, no
    transaction object. One connection per thread, kept, in autocommit (each statement sees
    what is committed when it runs: a revocation counts from the next request on)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.database = engine.url.render_as_string(hide_password=True)
        self._record = _Statement(_RECORD, engine.dialect)
        self._scan = _Statement(_RECORD_AND_OBSERVERS, engine.dialect)
        self._keys = _Statement(_KEYS, engine.dialect)
        self._people = _Statement(_PEOPLE, engine.dialect)
        self._items = _Statement(_ITEMS, engine.dialect)
        self._local = threading.local()

    def _connect(self) -> Any:
        conn = self.engine.raw_connection()  # the engine's connect hooks (SQLite pragmas) ran
        if self.engine.dialect.name == "postgresql":
            conn.driver_connection.autocommit = True  # type: ignore[union-attr]
        return conn

    def _run(self, statement: _Statement, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        try:
            cursor = conn.cursor()
            try:
                return statement.rows(cursor, params)
            finally:
                cursor.close()
        except Exception:
            self._local.conn = None  # a broken connection is not used again
            conn.invalidate()
            raise

    def keys(self, reload: bool = False) -> Mapping[str, OKPKey]:
        """The key set (``codes.cached_keys``, shared with the session path)."""
        return codes.cached_keys(
            self.database, lambda: [(k, x) for k, x in self._run(self._keys, {})], reload=reload
        )

    def verify(self, token: str, *, now: dt.datetime | None = None) -> ScanResult:
        """``verify_token(…, details=False)`` on these reads: one statement."""
        result = ScanResult(check(token, self.keys, at=now or utcnow()))
        jti = result.verified.claims.get("jti")
        if isinstance(jti, str):  # only a genuine token has claims
            rows = self._run(self._record, {"jti": jti})
            result.code = CodeRecord(*rows[0]) if rows else None
        return result

    def scan(
        self, token: str, *, now: dt.datetime | None = None
    ) -> tuple[ScanResult, tuple[tuple[str, str], ...]]:
        """The verdict and the observers as (name, capacity), with which the door keys its
        cached page (``door_api``): one statement."""
        result = ScanResult(check(token, self.keys, at=now or utcnow()))
        jti = result.verified.claims.get("jti")
        if not isinstance(jti, str):
            return result, ()
        rows = self._run(self._scan, {"jti": jti})
        n = len(_COLUMNS)
        result.code = CodeRecord(*rows[0][:n]) if rows else None
        return result, tuple((r[n], r[n + 1]) for r in rows if r[n] is not None)

    def task_facts(self, task_id: int) -> TaskFacts:
        """What the scan page shows of a task, read now: two statements, no ORM (the first
        render of a code's page, ``door_api``); the same values as ``bundle_of_code``'s."""
        people = self._run(self._people, {"task": task_id})
        subjects: dict[int, Named] = {}
        officers: dict[int, OfficerFacts] = {}
        for _m, _e, subject_id, subject, officer_id, officer, cert_no in people:
            if subject_id is not None:  # first sightings, in order (``service.assemble_bundle``)
                subjects.setdefault(subject_id, Named(subject))
            if officer_id is not None:
                officers.setdefault(officer_id, OfficerFacts(officer, cert_no))
        items: list[tuple[None, ItemFacts]] = []
        checklists: dict[int, list[LineFacts]] = {}
        for item_id, name, code, law, article, line_id, text, basis in self._run(
            self._items, {"task": task_id}
        ):
            lines = checklists.get(item_id)
            if lines is None:
                items.append((None, ItemFacts(item_id, name, code, law, article)))
                lines = checklists[item_id] = []
            if line_id is not None:
                lines.append(LineFacts(text, basis))
        return TaskFacts(
            task=_Method(people[0][0]),
            enterprise=Named(people[0][1]),
            subjects=list(subjects.values()),
            officers=[(None, o) for o in officers.values()],
            items=items,
            checklists=checklists,
        )


def scan_url(base: str, token: str) -> str:
    """The URL a code's QR encodes."""
    return f"{base.rstrip('/')}/v/{token}"
