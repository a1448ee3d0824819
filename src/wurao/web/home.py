"""Each role's home page: what needs the signed-in person now, as counts and short lists, each
linking to the page where they act (issue #19 item 5).

A read model of the web kit. Every figure is one count over a domain's scoped statement
(``tasks_visible_to``, ``cases_visible_to``, ``alerts_visible_to``, ``items_visible_to``,
``clues_visible_to``, ``plans_visible_to``), so nothing outside the actor's subject, region or
enterprise is counted, and every list holds at most ``LIMIT`` rows: the home costs the same
number of statements whatever the data size. The one figure the database cannot compute, a
case's nearest statutory deadline, is read as the case list reads it (``next_deadlines``: two
statements for all the cases of the actor that are still open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from wurao.admin.service import schedule_warning
from wurao.auth.models import User
from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.cases.access import cases_visible_to
from wurao.cases.models import CaseOfficer, PenaltyCase
from wurao.cases.queries import next_deadlines
from wurao.cases.service import party_label
from wurao.cases.statuses import OPEN as CASE_OPEN
from wurao.cases.statuses import CaseStatus
from wurao.core.paging import paginate_rows
from wurao.core.time import utcnow
from wurao.core.workdays import UnknownCalendarYear
from wurao.inspections.evaluations import VISIBLE_TO_ENTERPRISE
from wurao.inspections.models import (
    Evaluation,
    InspectionRecord,
    InspectionTask,
    TaskObserver,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.service import tasks_visible_to
from wurao.inspections.statuses import TaskStatus
from wurao.oversight.clues.queries import clues_visible_to
from wurao.oversight.clues.routing import overdue_filter as clue_overdue
from wurao.oversight.clues.statuses import ClueStatus
from wurao.oversight.engine import alerts_visible_to
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.filings.queries import filings_visible_to
from wurao.oversight.filings.queries import late_filter as filing_late
from wurao.oversight.filings.statuses import FilingStatus
from wurao.oversight.models import Alert, Clue
from wurao.oversight.rectification.models import RectificationItem
from wurao.oversight.rectification.queries import items_visible_to
from wurao.oversight.rectification.queries import overdue_filter as rect_overdue
from wurao.oversight.rectification.statuses import RectStatus
from wurao.planning.models import InspectionPlan, PlanEntry
from wurao.planning.service import LIVE_PUBLIC, plans_visible_to
from wurao.registry.models import Enterprise, InspectionItem, Officer
from wurao.sampling.results import publish_deadline

LIMIT = 5
"""Rows listed under an entry; the count says how many there are in all."""
DUE_SOON_DAYS = 7
"""A case deadline within this many calendar days is listed (a display window, not a rule:
the clocks themselves are ``cases.clocks``, their lengths the policy file's)."""


@dataclass(frozen=True)
class Row:
    """One thing to act on: a task, a case, a result; ``action`` a one-tap button."""

    text: str
    href: str
    note: str = ""
    action: str = ""
    action_href: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class Entry:
    """A count of things waiting, the page where they are worked, and the first few."""

    label: str
    count: int | None
    href: str
    hint: str = ""
    urgent: bool = False
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Section:
    """A group of entries under a heading (我的任务, 案件期限 …)."""

    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Home:
    """The signed-in person's home."""

    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def waiting(self) -> int:
        """How many things wait in all (the entries' counts)."""
        # an entry without a count (a link, a warning) waits when it is urgent
        return sum(
            e.count if e.count is not None else int(e.urgent)
            for s in self.sections
            for e in s.entries
        )


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(
        session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    )


def _window(task: InspectionTask) -> str:
    start, end = task.window_start, task.window_end
    return f"{start:%m-%d}" if start == end else f"{start:%m-%d}至{end:%m-%d}"


def _tasks_entry(
    session: Session,
    stmt: Select[InspectionTask],
    label: str,
    href: str,
    row: Callable[[InspectionTask, str], Row],
    *,
    hint: str = "",
    urgent: bool = False,
) -> Entry:
    """A count of tasks and the first ``LIMIT`` by window, with their enterprise's name."""
    named = (
        stmt.add_columns(Enterprise.name)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .order_by(InspectionTask.window_start, InspectionTask.id)
    )
    found = paginate_rows(session, named, 1, LIMIT)
    rows = tuple(row(task, name) for task, name in found.items)
    return Entry(label, found.total, href, hint, urgent and found.total > 0, rows)


# --- the officer ------------------------------------------------------------------------------


def _my_tasks(actor: Actor) -> Select[InspectionTask]:
    """The actor's subject's tasks on which the actor is one of the assigned officers."""
    stmt = tasks_visible_to(actor)
    if actor.user_id is None:
        return stmt.where(false())
    mine = (
        select(TaskOfficer.task_id)
        .join(Officer, Officer.id == TaskOfficer.officer_id)
        .where(Officer.user_id == actor.user_id)
    )
    return stmt.where(InspectionTask.id.in_(mine))


def _code_row(task: InspectionTask, name: str) -> Row:
    return Row(
        name, f"/tasks/{task.id}", f"检查期间 {_window(task)}", "亮码", f"/tasks/{task.id}/code"
    )


def _record_row(task: InspectionTask, name: str) -> Row:
    return Row(name, f"/tasks/{task.id}", "检查笔录待完成", "继续填写", f"/tasks/{task.id}/record")


def _task_row(task: InspectionTask, name: str) -> Row:
    note = f"{TaskStatus(task.status).label} · 检查期间 {_window(task)}"
    return Row(name, f"/tasks/{task.id}", note)


def officer_tasks(session: Session, *, actor: Actor, today: dt.date) -> Section:
    """我的任务: today's coded tasks (one tap to the code), records to finish, this week's."""
    mine = _my_tasks(actor)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    coded = TaskStatus.CODED.value
    today_stmt = mine.where(
        InspectionTask.status == coded,
        InspectionTask.window_start <= today,
        InspectionTask.window_end >= today,
    )
    week_stmt = mine.where(
        or_(
            and_(
                InspectionTask.status == TaskStatus.DRAFT.value,
                InspectionTask.window_start <= week_end,
                InspectionTask.window_end >= today,
            ),
            and_(
                InspectionTask.status == coded,
                InspectionTask.window_start > today,
                InspectionTask.window_start <= week_end,
            ),
        )
    )
    return Section(
        "我的任务",
        (
            _tasks_entry(
                session, today_stmt, "今天可检查（点“亮码”出示行政行为码）", "/tasks?status=coded",
                _code_row, hint="已赋码、检查期间含今天的任务",
            ),
            _tasks_entry(
                session, mine.where(InspectionTask.status == TaskStatus.IN_PROGRESS.value),
                "检查中，笔录待完成", "/tasks?status=in_progress", _record_row, urgent=True,
            ),
            _tasks_entry(
                session, week_stmt, "本周待检查", "/tasks", _task_row,
                hint="本周内开始的已赋码任务，以及本周可检查但尚未赋码的任务",
            ),
            Entry("现场检查（可离线使用）", None, "/field",
                  "厂房、地下室等无网络处：任务、检查表和行政行为码已存在手机上，笔录联网后自动同步"),
        ),
    )  # fmt: skip


def observed_entry(session: Session, *, actor: Actor) -> Entry | None:
    """The actor's open inspections accompanied by a supervisor or monitor (伴随式监督), if any."""
    watched = exists().where(TaskObserver.task_id == InspectionTask.id)
    stmt = _my_tasks(actor).where(
        InspectionTask.status.in_((TaskStatus.CODED.value, TaskStatus.IN_PROGRESS.value)), watched
    )
    entry = _tasks_entry(session, stmt, "有监督人员随行的检查", "/tasks", _task_row)
    return entry if entry.count else None


# --- cases ------------------------------------------------------------------------------------


def cases_due(
    session: Session, *, actor: Actor, today: dt.date, own_only: bool, href: str = "/cases"
) -> Entry:
    """Open cases whose nearest deadline falls within ``DUE_SOON_DAYS`` (or has passed)."""
    stmt = cases_visible_to(actor).where(PenaltyCase.status.in_(sorted(s.value for s in CASE_OPEN)))
    if own_only:
        if actor.user_id is None:
            stmt = stmt.where(false())
        mine = (
            select(CaseOfficer.case_id)
            .join(Officer, Officer.id == CaseOfficer.officer_id)
            .where(Officer.user_id == actor.user_id)
        )
        stmt = stmt.where(PenaltyCase.id.in_(mine))
    cases = list(session.scalars(stmt))
    found = next_deadlines(session, cases, today)
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    due = sorted(
        (
            (d, c)
            for c in cases
            if (d := found[c.id].deadline) is not None and d.deadline <= horizon
        ),
        key=lambda pair: (pair[0].deadline, pair[1].id),
    )
    rows = tuple(
        Row(
            f"{c.number}（{party_label(c)}）",
            f"/cases/{c.id}",
            f"{d.name} {d.deadline:%m-%d}，{'已逾期' if d.overdue else f'还有{d.days_left}天'}",
            urgent=d.overdue,
        )
        for d, c in due[:LIMIT]
    )
    label = "我承办的案件期限临近" if own_only else "案件期限临近"
    hint = f"{DUE_SOON_DAYS}日内到期或已逾期的办案期限"
    return Entry(label, len(due), href, hint, any(r.urgent for r in rows), rows)


# --- the agency -------------------------------------------------------------------------------


def agency_tasks(session: Session, *, actor: Actor, today: dt.date) -> Section:
    """Tasks awaiting a code, plan entries with no task, draw results to publish (C6)."""
    drafts = tasks_visible_to(actor).where(InspectionTask.status == TaskStatus.DRAFT.value)
    entries = [
        _tasks_entry(
            session, drafts.where(InspectionTask.window_end >= today), "待赋码的检查任务",
            "/tasks?status=draft", _task_row, hint="打开任务查看预检结果并申请赋码",
        ),
    ]  # fmt: skip
    lapsed = _count(session, drafts.where(InspectionTask.window_end < today))
    if lapsed:
        entries.append(
            Entry(
                "检查期间已过仍未赋码", lapsed, "/tasks?status=draft",
                "预检不能通过：请修改检查期间或取消任务", urgent=True,
            )
        )  # fmt: skip
    entries.append(plan_entries(session, actor=actor, today=today))
    entries.append(results_to_publish(session, actor=actor, today=today))
    return Section("检查任务", tuple(entries))


def plan_entries(session: Session, *, actor: Actor, today: dt.date) -> Entry:
    """This year's entries of the subject's plans in force (not 双随机) with no task yet."""
    live = plans_visible_to(actor).where(
        InspectionPlan.status.in_(LIVE_PUBLIC), InspectionPlan.year == today.year
    )
    has_task = exists().where(InspectionTask.plan_entry_id == PlanEntry.id)
    stmt = (
        select(PlanEntry, InspectionItem.name)
        .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
        .where(
            PlanEntry.plan_id.in_(live.with_only_columns(InspectionPlan.id)),
            PlanEntry.selection != "dss",
            ~has_task,
        )
        .order_by(PlanEntry.plan_id, PlanEntry.id)
    )
    found = paginate_rows(session, stmt, 1, LIMIT)
    rows = tuple(
        Row(name, f"/plans/{entry.plan_id}", f"计划条目 {entry.id}") for entry, name in found.items
    )
    hint = "年度计划中的定向、重点检查条目，尚未据以建立检查任务"
    return Entry("计划条目尚未建任务", found.total, "/plans", hint, rows=rows)


def results_to_publish(session: Session, *, actor: Actor, today: dt.date) -> Entry:
    """Finished 双随机 inspections of the subject whose result is not yet public (C6)."""
    ours = (
        tasks_visible_to(actor)
        .where(InspectionTask.origin == "draw")
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(InspectionRecord.finished_at.is_not(None), InspectionRecord.published_at.is_(None))
    )
    if actor.subject_id is not None:
        ours = ours.where(
            exists().where(
                TaskSubject.task_id == InspectionTask.id,
                TaskSubject.subject_id == actor.subject_id,
            )
        )
    stmt = (
        ours.add_columns(Enterprise.name, InspectionRecord.finished_at)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .order_by(InspectionRecord.finished_at, InspectionTask.id)
    )
    found = paginate_rows(session, stmt, 1, LIMIT)
    rows = []
    for task, name, finished in found.items:
        try:
            due = publish_deadline(task.region_code, finished.date()).due_on
            late = today > due
            note = f"C6 公示期限 {due:%m-%d}{'，已逾期' if late else ''}"
        except UnknownCalendarYear as exc:
            late, note = False, exc.message
        rows.append(Row(name, f"/draws/{task.draw_id}", note, urgent=late))
    hint = "双随机抽查结果须在期限内公示（C6）"
    urgent = any(r.urgent for r in rows)
    return Entry("待公示的抽查结果", found.total, "/draws", hint, urgent, tuple(rows))


def agency_oversight(session: Session, *, actor: Actor, today: dt.date) -> Section:
    """What the supervisor waits for from the subject: answers to alerts, items, clues."""
    alerts = alerts_visible_to(actor).where(Alert.status == "notified")
    items = items_visible_to(actor).where(RectificationItem.status == RectStatus.OPEN.value)
    clues = clues_visible_to(actor).where(Clue.status == ClueStatus.ROUTED.value)
    late_items = _count(session, items.where(rect_overdue(today)))
    late_clues = _count(session, clues.where(clue_overdue(today)))
    return Section(
        "待本单位答复",
        (
            Entry("监督预警待答复", _count(session, alerts), "/oversight/alerts?status=notified",
                  "已收到风险提示函，请书面答复"),
            Entry("整改事项待答复", _count(session, items), "/oversight/rectifications?status=open",
                  f"其中超期 {late_items} 件" if late_items else "", urgent=late_items > 0),
            Entry("交办线索待答复", _count(session, clues), "/oversight/my-clues?status=routed",
                  f"其中超期 {late_clues} 条" if late_clues else "", urgent=late_clues > 0),
        ),
    )  # fmt: skip


# --- the legal reviewer -----------------------------------------------------------------------


def review_queue(session: Session, *, actor: Actor) -> Entry:
    """Cases sent to 法制审核 and not yet reviewed, the longest waiting first."""
    stmt = (
        cases_visible_to(actor)
        .where(PenaltyCase.status == CaseStatus.REVIEW.value)
        .order_by(PenaltyCase.review_sent_on, PenaltyCase.id)
    )
    found = paginate_rows(session, stmt.add_columns(PenaltyCase.review_sent_on), 1, LIMIT)
    rows = tuple(
        Row(
            f"{c.number}（{party_label(c)}）",
            f"/cases/{c.id}",
            f"{sent:%m-%d} 送审" if sent else "",
        )
        for c, sent in found.items
    )
    return Entry("待法制审核的案件", found.total, "/cases?status=review", rows=rows)


# --- the supervisor ---------------------------------------------------------------------------


def supervisor_sections(session: Session, *, actor: Actor, today: dt.date) -> tuple[Section, ...]:
    """New alerts, answers to verify, clues to route or chase, plan filings to review."""
    alerts = alerts_visible_to(actor).where(Alert.status == "new")
    answered = alerts_visible_to(actor).where(Alert.status == "answered")
    items = items_visible_to(actor).where(RectificationItem.status == RectStatus.ANSWERED.value)
    clues = clues_visible_to(actor)
    filings = plans_visible_to(actor).where(InspectionPlan.filing_status == "pending")
    major = filings_visible_to(actor)
    to_review = major.where(
        MajorFiling.status.in_((FilingStatus.FILED.value, FilingStatus.REFILED.value))
    )
    late = major.where(filing_late(today))
    return (
        Section(
            "监督预警与整改",
            (
                Entry("新预警", _count(session, alerts), "/oversight/alerts?status=new",
                      "核实后发送风险提示函或核销"),
                Entry("预警答复待核实", _count(session, answered),
                      "/oversight/alerts?status=answered"),
                Entry("整改事项待核实", _count(session, items),
                      "/oversight/rectifications?status=answered", "核实后销号或退回"),
            ),
        ),
        Section(
            "监督线索",
            (
                Entry("待处理（待交办）", _count(session, clues.where(Clue.status == "new")),
                      "/oversight/clues?status=new"),
                Entry("交办超期未答复", _count(session, clues.where(clue_overdue(today))),
                      "/oversight/clues?overdue=1", "可督办", urgent=True),
                Entry("答复待核实", _count(session, clues.where(Clue.status == "answered")),
                      "/oversight/clues?status=answered"),
            ),
        ),
        Section(
            "备案审查",
            (
                Entry("检查计划备案待审核", _count(session, filings), "/plans"),
                Entry("重大执法决定备案待审查", _count(session, to_review),
                      "/oversight/filings?status=waiting", "审查通过或退回并提出监督意见"),
                Entry("重大执法决定逾期未报备", _count(session, late),
                      "/oversight/filings?late=1", "可发风险提示函", urgent=True),
            ),
        ),
    )  # fmt: skip


# --- the enterprise ---------------------------------------------------------------------------


def enterprise_section(session: Session, *, actor: Actor) -> Section:
    """The enterprise's inspections under way, those it may evaluate, its cases to act on."""
    actor.require(Permission.ENTERPRISE_PORTAL)
    ours = select(InspectionTask).join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
    ours = ours.where(
        Enterprise.uscc == (actor.enterprise_uscc or ""),
        InspectionTask.status.in_(VISIBLE_TO_ENTERPRISE),
    )
    evaluated = exists().where(
        Evaluation.task_id == InspectionTask.id, Evaluation.submitted_at.is_not(None)
    )
    to_evaluate = ours.where(InspectionTask.status == TaskStatus.DONE.value, ~evaluated)
    under_way = ours.where(InspectionTask.status == TaskStatus.IN_PROGRESS.value)
    cases = cases_visible_to(actor).where(
        PenaltyCase.status.in_((CaseStatus.DECIDED.value, CaseStatus.SERVED.value))
    )
    href = "/enterprise/inspections"
    return Section(
        "我的检查与案件",
        (
            Entry("正在进行的检查", _count(session, under_way), href, "核对检查人员和行政行为码"),
            Entry("待评价的检查", _count(session, to_evaluate), href, "检查结束后可匿名评价"),
            Entry("待履行的处罚决定", _count(session, cases), "/enterprise/cases"),
        ),
    )


# --- the system administrator -----------------------------------------------------------------


def sysadmin_section(session: Session, *, actor: Actor) -> Section:
    """The calendar still to import, locked accounts, the audit chain's check."""
    actor.require(Permission.USERS_VIEW)
    locked = select(User).where(
        region_filter(actor, User.region_code), User.locked_until > utcnow()
    )
    return Section(
        "系统维护",
        (
            Entry("被锁定的账号", _count(session, locked), "/admin/users", "连续登录失败后锁定"),
            Entry("审计日志校验", None, "/admin/audit", "核验审计链是否完整"),
        ),
    )


def calendar_entry(actor: Actor, today: dt.date) -> Entry | None:
    """Next year's holidays not imported yet (the deadlines in working days need them)."""
    year = schedule_warning(actor, today=today)
    if year is None:
        return None
    return Entry(f"尚未导入{year}年节假日安排", None, f"/admin/calendar?year={year}",
                 "按工作日计算的期限需要节假日安排", urgent=True)  # fmt: skip


# --- by role ----------------------------------------------------------------------------------


def home_for(session: Session, *, actor: Actor, today: dt.date) -> Home:
    """The home of the actor's role: what needs the actor now."""
    actor.require(Permission.HOME)
    sections: list[Section] = []
    if actor.role is Role.OFFICER:
        tasks = officer_tasks(session, actor=actor, today=today)
        extra = observed_entry(session, actor=actor)
        if extra is not None:
            tasks = Section(tasks.title, (*tasks.entries, extra))
        sections.append(tasks)
        cases = cases_due(session, actor=actor, today=today, own_only=True)
        sections.append(Section("案件期限", (cases,)))
    elif actor.role is Role.AGENCY_ADMIN:
        sections.append(agency_tasks(session, actor=actor, today=today))
        sections.append(agency_oversight(session, actor=actor, today=today))
        cases = cases_due(session, actor=actor, today=today, own_only=False)
        sections.append(Section("案件期限", (cases,)))
    elif actor.role is Role.LEGAL_REVIEWER:
        sections.append(Section("法制审核", (review_queue(session, actor=actor),)))
    elif actor.role is Role.SUPERVISOR:
        sections.extend(supervisor_sections(session, actor=actor, today=today))
    elif actor.role is Role.ENTERPRISE:
        sections.append(enterprise_section(session, actor=actor))
    elif actor.role is Role.SYSADMIN:
        # the supervisor sees the missing schedule in the banner too, but only this role imports
        warning = calendar_entry(actor, today)
        if warning is not None:
            sections.append(Section("节假日安排", (warning,)))
        sections.append(sysadmin_section(session, actor=actor))
    return Home(tuple(sections))
