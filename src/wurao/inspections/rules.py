"""Pre-checks before a 行政行为码 is issued: each applies a rule of the catalogue
(``wurao.core.rules``: id, title, source, severity, parameters).

"无码不查": a code is issued only when every BLOCK rule passes; WARN rules (A6 merge/joint,
B5 legal representative) travel with the code. A refusal lists every failed rule, never only
the first. The rules read a :class:`TaskFacts` loaded once per check; the frequency cap (A5)
reads counts that ``issuing.issue_code`` has locked first, so the verdict it acts on cannot be
overtaken by a concurrent issue.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from wurao.core import clock
from wurao.core import rules as catalogue
from wurao.core.errors import DomainError, Violation
from wurao.core.policy import get_policy
from wurao.core.rules import RuleDef
from wurao.inspections import cross_region
from wurao.inspections.models import (
    CrossRegionApproval,
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.statuses import CODED_STATUSES, OPEN_STATUSES
from wurao.planning import coverage
from wurao.planning.special import SPECIAL_PUBLIC
from wurao.registry.enterprises.service import enterprise_problems
from wurao.registry.items.service import item_problems
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
from wurao.registry.officers.service import MIN_OFFICERS, officer_problems
from wurao.registry.subjects.service import subject_problems
from wurao.sampling.models import Draw, DrawSubject
from wurao.sampling.statuses import DrawStatus

CAP_POLICY = "inspection.onsite_cap_per_year"
COUNTED_POLICY = "inspection.cap_counted_methods"
EXEMPT_POLICY = "inspection.cap_exempt_origins"
TRIGGERED_POLICY = "oversight.triggered_max_per_year"

ORIGINS = {
    "plan": "年度检查计划",
    "draw": "双随机抽查",
    "special": "专项检查",
    "unplanned": "经批准的计划外检查",
    "complaint": "投诉举报（触发式）",
    "referral": "转办交办（触发式）",
    "monitoring": "数据监测（触发式）",
}
TRIGGERED = frozenset({"complaint", "referral", "monitoring"})
DRAW_STATES: dict[str, str] = DrawStatus.labels()


@dataclass(frozen=True)
class Precheck:
    """One pre-check: the catalogue rule it applies, under a key the API and the tests use.

    ``aspect`` names the part of the rule checked when a rule has more than one pre-check
    (A4: the origin, and the late-code window); ``warn_only`` when the pre-check applies a
    BLOCK rule only as a warning (B5: the code carries it, the record enforces it).
    """

    key: str
    rule: RuleDef
    aspect: str = ""
    warn_only: bool = False

    @property
    def rule_id(self) -> str:
        """The catalogue id."""
        return self.rule.id

    @property
    def title(self) -> str:
        """The catalogue title, with the aspect checked."""
        return f"{self.rule.title}：{self.aspect}" if self.aspect else self.rule.title

    @property
    def source(self) -> str:
        """The catalogue source."""
        return self.rule.source

    @property
    def severity(self) -> str:
        """BLOCK or WARN, as this pre-check applies the rule."""
        return "WARN" if self.warn_only else self.rule.severity

    @property
    def params(self) -> tuple[str, ...]:
        """The catalogue's policy parameters."""
        return self.rule.params


@dataclass
class TaskFacts:
    """Everything the rules read about one task, loaded once."""

    task: InspectionTask
    enterprise: Enterprise
    subjects: list[EnforcementSubject]  # lead first
    task_subjects: dict[int, TaskSubject]
    items: list[tuple[TaskItem, InspectionItem]]
    officers: list[tuple[TaskOfficer, Officer]]
    today: dt.date
    # (counted, exempt) on-site inspections this year per subject, before this task
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    # subject id → the 异地检查 approval A8 accepted (bound to the task when coded)
    cross_region: dict[int, CrossRegionApproval] = field(default_factory=dict)

    @property
    def lead(self) -> EnforcementSubject:
        """The lead subject."""
        return self.subjects[0]

    @property
    def check_dates(self) -> list[dt.date]:
        """The dates on which people and subjects must qualify: start and end of the window."""
        start = self.task.started_without_code_on or self.task.window_start
        return sorted({start, self.task.window_end})


@dataclass(frozen=True)
class Outcome:
    """One rule's verdict: ``pass``, ``fail`` (BLOCK) or ``warn``, with evidence and a note."""

    rule: Precheck
    status: str
    violations: list[Violation]
    note: str = ""


@dataclass(frozen=True)
class PrecheckResult:
    """Every rule's outcome for one task."""

    outcomes: list[Outcome]

    @property
    def blocking(self) -> list[Violation]:
        """Every BLOCK violation (all of them, never only the first)."""
        return [v for o in self.outcomes if o.status == "fail" for v in o.violations]

    @property
    def warnings(self) -> list[Violation]:
        """Every WARN finding."""
        return [v for o in self.outcomes if o.status == "warn" for v in o.violations]

    @property
    def ok(self) -> bool:
        """Whether a code may be issued."""
        return not self.blocking


Check = Callable[[Session, TaskFacts], tuple[list[Violation], str]]

# --- the rules ------------------------------------------------------------------------------

B1 = Precheck("two_officers", catalogue.B1)
A2 = Precheck("officer_cert", catalogue.A2)
A1 = Precheck("subject_qualified", catalogue.A1)
A3 = Precheck("items_published", catalogue.A3)
TARGET = Precheck("target_status", catalogue.TARGET_STATUS)
A4 = Precheck("origin_approved", catalogue.A4)
A4_LATE = Precheck("late_window", catalogue.A4, "事后补码期限")
A5 = Precheck("frequency_cap", catalogue.A5)
A8 = Precheck("locality", catalogue.A8)
F9 = Precheck("triggered_freq", catalogue.F9)
A6 = Precheck("merge_joint", catalogue.A6)
B5 = Precheck("legal_rep", catalogue.B5, "不得要求法定代表人到场", warn_only=True)


def _v(check: Precheck | RuleDef, detail: str, **evidence: object) -> Violation:
    if isinstance(check, RuleDef):
        return check.violation(detail, **evidence)
    if check.warn_only:
        return check.rule.warning(detail, **evidence)
    return check.rule.violation(detail, **evidence)


def check_two_officers(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """B1: at least two officers per subject who pass A2 on every check date."""
    out: list[Violation] = []
    notes = []
    for subject in f.subjects:
        fit = [
            o
            for t, o in f.officers
            if t.subject_id == subject.id
            and o.subject_id == subject.id
            and not any(
                officer_problems(o, d, region_code=subject.region_code) for d in f.check_dates
            )
        ]
        notes.append(f"{subject.name}：{len(fit)} 名")
        if len(fit) < MIN_OFFICERS:
            out.append(
                _v(
                    B1,
                    f"{subject.name}仅有 {len(fit)} 名符合条件的持证执法人员，至少须两名。",
                    subject_id=subject.id,
                    qualified=len(fit),
                )
            )
    return out, "；".join(notes)


def check_officer_cert(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A2: each officer qualified on every check date, and belongs to the subject named."""
    out: list[Violation] = []
    if not f.officers:
        out.append(_v(A2, "任务未指派执法人员。"))
    by_id = {s.id: s for s in f.subjects}
    for t, officer in f.officers:
        subject = by_id.get(t.subject_id)
        if officer.subject_id != t.subject_id or subject is None:
            out.append(
                _v(A2, f"{officer.name}不是本任务执法主体的执法人员。", officer_id=officer.id)
            )
            continue
        seen: set[str] = set()
        for day in f.check_dates:
            for v in officer_problems(officer, day, region_code=subject.region_code):
                if v.detail not in seen:
                    seen.add(v.detail)
                    out.append(v)
    return out, f"{len(f.officers)} 名执法人员"


def check_subject(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A1: every subject's qualification is confirmed and announced."""
    return [v for s in f.subjects for v in subject_problems(s)], ""


def check_items(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A3: every item published and of its subject's field; each subject checks something."""
    by_id = {s.id: s for s in f.subjects}
    out: list[Violation] = []
    for t, item in f.items:
        subject = by_id.get(t.subject_id)
        out.extend(item_problems(item, field=subject.field if subject else ""))
    for s in f.subjects:
        if not any(t.subject_id == s.id for t, _ in f.items):
            out.append(_v(A3, f"{s.name}在本任务中没有检查事项。", subject_id=s.id))
    return out, "、".join(i.code for _, i in f.items)


def check_target(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """The enterprise exists and is not 注销/吊销."""
    return enterprise_problems(f.enterprise), f.enterprise.name


def _start(task: InspectionTask) -> dt.date:
    """The day the inspection starts (or started, for a late code)."""
    return task.started_without_code_on or task.window_start


def _item_ids(f: TaskFacts, subject_id: int) -> list[int]:
    return [t.item_id for t, _ in f.items if t.subject_id == subject_id]


def _plan_problems(session: Session, f: TaskFacts) -> list[Violation]:
    task = f.task
    if task.plan_entry_id is None:
        return [_v(A4, "来源为年度检查计划，但未指明计划条目。")]
    row = coverage.origin_entry(session, task.plan_entry_id)
    if row is None:
        return [_v(A4, f"计划条目 {task.plan_entry_id} 不存在。")]
    _entry, plan = row
    out = []
    if plan.status not in coverage.COVERING_PLAN_STATES:
        out.append(
            _v(A4, f"年度计划“{plan.title}”尚未批准公布（状态：{plan.status}）。", plan_id=plan.id)
        )
    if plan.subject_id not in f.task_subjects:
        out.append(_v(A4, f"年度计划“{plan.title}”不属于本任务的执法主体。", plan_id=plan.id))
    if plan.year != task.year:
        out.append(_v(A4, f"年度计划“{plan.title}”是{plan.year}年的计划，任务在{task.year}年。"))
    if out:
        return out
    # The planning domain's own answer (one source of truth): the entry must cover this
    # enterprise in the starting month, the plan be published by then, and the plan's
    # entries cover every item this subject checks.
    start = _start(task)
    cov = coverage.plan_coverage(
        session,
        subject_id=plan.subject_id,
        enterprise_id=task.enterprise_id,
        item_ids=_item_ids(f, plan.subject_id),
        on=start,
    )
    if cov is None or task.plan_entry_id not in cov.entry_ids:
        return [
            _v(
                A4,
                f"年度计划“{plan.title}”的该条目在{start.isoformat()}不覆盖本企业"
                "（须已公布、属实施月份、企业在检查对象范围内）。",
                plan_id=plan.id,
            )
        ]
    if not cov.complete:
        return [
            _v(
                A4,
                f"年度计划“{plan.title}”未列入本任务的部分检查事项。",
                plan_id=plan.id,
                missing_item_ids=list(cov.missing_item_ids),
            )
        ]
    return []


def _special_problems(session: Session, f: TaskFacts) -> list[Violation]:
    task = f.task
    rule = catalogue.A7
    if task.special_id is None:
        return [_v(rule, "来源为专项检查，但未指明专项检查。")]
    found = coverage.origin_special(session, task.special_id)
    if found is None:
        return [_v(rule, f"专项检查 {task.special_id} 不存在。")]
    special, members = found
    out = []
    if special.status not in ("approved", *SPECIAL_PUBLIC):
        out.append(_v(rule, f"专项检查“{special.title}”未经批准（状态：{special.status}）。"))
    elif special.status not in SPECIAL_PUBLIC:
        out.append(
            _v(rule, f"专项检查“{special.title}”已批准但尚未公布（状态：{special.status}）。")
        )
    if not members & set(f.task_subjects):
        out.append(_v(rule, f"专项检查“{special.title}”不包括本任务的执法主体。"))
    if out:
        return out
    # The planning domain's own answer: running on the starting day, the enterprise active,
    # and every item a member subject checks among the special inspection's items.
    start = _start(task)
    for sid in sorted(members & set(f.task_subjects)):
        cov = coverage.special_coverage(
            session,
            subject_id=sid,
            enterprise_id=task.enterprise_id,
            item_ids=_item_ids(f, sid),
            on=start,
            special_id=special.id,
        )
        if cov is None or not cov.complete:
            out.append(
                _v(
                    rule,
                    f"专项检查“{special.title}”在{start.isoformat()}不覆盖本任务"
                    "（须在实施期间内、企业未注销吊销、检查事项属于该专项）。",
                    subject_id=sid,
                )
            )
    return out


def _unplanned_problems(session: Session, f: TaskFacts) -> list[Violation]:
    task = f.task
    if task.unplanned_id is None:
        return [_v(A4, "计划外检查须附经批准并报备的计划外检查审批。")]
    approval = coverage.origin_unplanned(session, task.unplanned_id)
    if approval is None:
        return [_v(A4, f"计划外检查审批 {task.unplanned_id} 不存在。")]
    out = []
    if approval.status != "approved":
        out.append(_v(A4, f"计划外检查审批未获批准（状态：{approval.status}）。"))
    if approval.valid_until is not None and approval.valid_until < f.today:
        out.append(_v(A4, f"计划外检查审批已于{approval.valid_until.isoformat()}失效。"))
    if approval.enterprise_id != task.enterprise_id:
        out.append(_v(A4, "计划外检查审批针对的是另一家企业。"))
    if approval.subject_id not in f.task_subjects:
        out.append(_v(A4, "计划外检查审批不属于本任务的执法主体。"))
    if out:
        return out
    # The planning domain's own answer: approved before the inspection starts and valid
    # then; a late code (补码) may rest on an approval obtained afterwards (衢政办发〔2025〕16号
    # 第7项, bounded by the late window), so it is checked on the day of the code.
    on = f.today if task.started_without_code_on else task.window_start
    cov = coverage.unplanned_coverage(
        session,
        subject_id=approval.subject_id,
        enterprise_id=task.enterprise_id,
        item_ids=_item_ids(f, approval.subject_id),
        on=on,
        approval_id=approval.id,
    )
    if cov is None:
        return [
            _v(A4, f"计划外检查审批在{on.isoformat()}不覆盖本次检查（须事前批准且在有效期内）。")
        ]
    return []


def drawn_usccs(draw: Draw) -> set[str]:
    """The USCCs a drawn 双随机 draw selected, as its published result lists them."""
    result = json.loads(draw.result_json) if draw.result_json else {}
    return {str(row.get("uscc", "")) for row in result.get("selection") or []}


def _draw_problems(session: Session, f: TaskFacts) -> list[Violation]:
    """A draw origin is a fact to check, not a number to quote: the draw exists, has been
    drawn (frozen and run, so its selection is public), belongs to one of the task's subjects
    and selected this enterprise (国办发〔2019〕5号；企业信息公示暂行条例 第14条)."""
    task = f.task
    if task.draw_id is None:
        return [_v(A4, "来源为双随机抽查，但未关联抽查记录。")]
    draw = session.get(Draw, task.draw_id)
    if draw is None:
        return [_v(A4, f"双随机抽查 {task.draw_id} 不存在。", draw_id=task.draw_id)]
    if draw.status != "drawn":
        state = DRAW_STATES.get(draw.status, draw.status)
        return [
            _v(
                A4,
                f"双随机抽查“{draw.title}”尚未抽取（状态：{state}），不能作为检查来源。",
                draw_id=draw.id,
            )
        ]
    members = set(
        session.scalars(select(DrawSubject.subject_id).where(DrawSubject.draw_id == draw.id))
    )
    out = []
    if not members & set(f.task_subjects):
        out.append(_v(A4, f"双随机抽查“{draw.title}”不属于本任务的执法主体。", draw_id=draw.id))
    if f.enterprise.uscc not in drawn_usccs(draw):
        out.append(
            _v(
                A4,
                f"双随机抽查“{draw.title}”未抽中{f.enterprise.name}。",
                draw_id=draw.id,
                enterprise_id=f.enterprise.id,
            )
        )
    return out


def check_origin(session: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A4/A7: the task comes from an approved plan, a draw, an approved special inspection,
    an approved unplanned filing, or names its trigger."""
    task = f.task
    label = ORIGINS.get(task.origin, task.origin)
    if task.origin == "plan":
        return _plan_problems(session, f), label
    if task.origin == "special":
        return _special_problems(session, f), label
    if task.origin == "unplanned":
        return _unplanned_problems(session, f), label
    if task.origin == "draw":
        return _draw_problems(session, f), label
    if task.origin in TRIGGERED:
        out = []
        if not task.trigger_ref.strip():
            out.append(_v(A4, "触发式检查须写明线索编号（投诉举报、转办交办或监测预警编号）。"))
        if not task.trigger_reason.strip():
            out.append(_v(A4, "触发式检查须写明检查理由。"))
        return out, f"{label}：{task.trigger_ref}"
    return [_v(A4, f"未知的检查来源“{task.origin}”。")], label


def check_late(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A4 补码: a code after the inspection started only within the policy window, counted from
    the day that inspection was completed (衢政办发〔2025〕16号 第7项: 在检查任务完成后1个工作日
    内补办批准手续并赋码); without a completion date, from the start (never looser)."""
    started = f.task.started_without_code_on
    if started is None:
        return [], "事前赋码"
    finished = f.task.finished_without_code_on
    if finished is not None and finished > f.today:
        return [
            _v(
                A4_LATE,
                f"填写的检查完成日期{finished.isoformat()}晚于赋码当日{f.today.isoformat()}："
                "检查尚未完成，不能据此补码。",
                finished=finished.isoformat(),
            )
        ], ""
    base = finished or started
    days = clock.A4_LATE_CODE.length(base, f.lead.region_code)
    try:
        deadline = clock.A4_LATE_CODE.deadline(base, f.lead.region_code)
    except DomainError as exc:  # an unknown calendar year: a refusal, never a guess
        return [_v(A4_LATE, exc.message, started=started.isoformat())], ""
    if finished is not None:
        event = f"{finished.isoformat()} 完成检查"
    else:
        event = f"{started.isoformat()} 开始检查（未填写检查完成日期，从开始之日起算）"
    note = f"{event}，补码截止 {deadline.isoformat()}（{days} 个工作日）"
    if f.today > deadline:
        return [
            _v(
                A4_LATE,
                f"{event}，补码期限（{days}个工作日）已于{deadline.isoformat()}届满，不得再补码。",
                started=started.isoformat(),
                deadline=deadline.isoformat(),
            )
        ], note
    return [], note


def cap_terms(subject: EnforcementSubject, task: InspectionTask) -> tuple[int, bool, bool]:
    """(cap, counted method?, exempt origin?) for a subject in force on the task's start."""
    policy = get_policy()
    on = task.started_without_code_on or task.window_start
    cap = int(policy.value(CAP_POLICY, subject.region_code, on))
    counted = task.method in policy.value(COUNTED_POLICY, subject.region_code, on)
    exempt = task.origin in policy.value(EXEMPT_POLICY, subject.region_code, on)
    return cap, counted, exempt


def check_cap(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A5: counted on-site inspections this year stay within the cap; triggered ones exempt,
    the count still shown. Reaching the cap exactly is a WARN (returned separately)."""
    out: list[Violation] = []
    notes = []
    for s in f.subjects:
        cap, counted, exempt = cap_terms(s, f.task)
        done, exempted = f.counts.get(s.id, (0, 0))
        notes.append(f"{s.name}：{f.task.year}年已计数 {done}/{cap} 次，触发式 {exempted} 次")
        if counted and not exempt and done + 1 > cap:
            out.append(
                _v(
                    A5,
                    f"{s.name}本年度已对该企业现场检查 {done} 次，达到上限 {cap} 次；"
                    "如属投诉举报等触发式检查，请按触发式检查登记并写明线索。",
                    subject_id=s.id,
                    counted=done,
                    cap=cap,
                )
            )
    return out, "；".join(notes)


def check_locality(session: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A8: the enterprise lies in the subject's area, or a recorded approval of a common
    superior covers this enterprise, these items and the window (``cross_region``)."""
    out: list[Violation] = []
    notes = []
    task = f.task
    start = _start(task)
    for s in f.subjects:
        if not cross_region.is_remote(s, f.enterprise):
            continue
        visit = cross_region.Visit(
            subject=s,
            enterprise=f.enterprise,
            item_ids=tuple(_item_ids(f, s.id)),
            start=start,
            end=task.window_end,
            # a late code may rest on an approval obtained afterwards, as for A4
            approved_by=f.today if task.started_without_code_on else start,
        )
        named = f.task_subjects[s.id].cross_region_approval_id
        approval, problems = cross_region.covering(session, visit, approval_id=named)
        out.extend(problems)
        if approval is not None:
            f.cross_region[s.id] = approval
            notes.append(f"{s.name}：{approval.organ_name}批准（{approval.doc_no}）")
    return out, "；".join(notes)


def check_merge_joint(session: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A6 WARN: another open task of the same enterprise overlapping the window; or an on-site
    inspection whose items could all be checked off-site."""
    task = f.task
    rows = session.execute(
        select(InspectionTask.id, TaskSubject.subject_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(
            InspectionTask.enterprise_id == task.enterprise_id,
            InspectionTask.id != task.id,
            InspectionTask.status.in_(OPEN_STATUSES),
            InspectionTask.window_start <= task.window_end,
            InspectionTask.window_end >= task.window_start,
        )
    ).all()
    out: list[Violation] = []
    same = sorted({r[0] for r in rows if r[1] in f.task_subjects})
    other = sorted({r[0] for r in rows if r[1] not in f.task_subjects})
    if same:
        out.append(
            _v(
                A6,
                f"本主体在同一时段对该企业还有未完成的检查任务（{same}），能合并的应合并。",
                tasks=same,
            )
        )
    if other:
        out.append(
            _v(
                A6,
                f"其他部门在同一时段对该企业有检查任务（{other}），能联合的应综合查一次。",
                tasks=other,
            )
        )
    if (
        task.method == "onsite"
        and f.items
        and all({"offsite", "written"} & set(i.methods.split(",")) for _, i in f.items)
    ):
        out.append(_v(A6, "所有检查事项均可通过非现场或书面核查完成，请说明入企现场检查的理由。"))
    return out, ""


def triggered_conditions() -> tuple[ColumnElement[bool], ...]:
    """SQL: the task is a triggered on-site inspection that takes place (a code was issued).

    衢政办发〔2025〕16号 第9项 names 触发式现场检查 from 投诉举报、转办交办、数据监测: exempt
    from the cap (A5) but held to a reasonable frequency (F9), counted across subjects.
    """
    return (
        InspectionTask.origin.in_(sorted(TRIGGERED)),
        InspectionTask.method == "onsite",
        InspectionTask.status.in_(CODED_STATUSES),
    )


def triggered_count(
    session: Session, *, enterprise_id: int, year: int, excluding: int | None = None
) -> int:
    """Triggered on-site inspections of an enterprise in a year, by any subject."""
    stmt = select(func.count(InspectionTask.id)).where(
        InspectionTask.enterprise_id == enterprise_id,
        InspectionTask.year == year,
        *triggered_conditions(),
    )
    if excluding is not None:
        stmt = stmt.where(InspectionTask.id != excluding)
    return int(session.scalar(stmt) or 0)


def check_triggered(session: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """F9 WARN: this triggered on-site inspection takes the enterprise's count this year (all
    subjects) past the reasonable frequency; the count is shown for every task."""
    task = f.task
    limit = int(get_policy().value(TRIGGERED_POLICY, task.region_code, _start(task)))
    done = triggered_count(
        session, enterprise_id=task.enterprise_id, year=task.year, excluding=task.id
    )
    note = f"该企业本年度已接受触发式检查 {done} 次（合理频次上限 {limit}）"
    if task.origin in TRIGGERED and task.method == "onsite" and done + 1 > limit:
        return [
            _v(
                F9,
                f"本次为{f.enterprise.name}{task.year}年第{done + 1}次触发式现场检查（各执法主体"
                f"合计），超过合理频次上限{limit}次：请核实线索，能合并、联合或非现场核查的不入企。",
                count=done + 1,
                limit=limit,
            )
        ], note
    return [], note


def check_legal_rep(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """B5 WARN: the task demands the legal representative be present."""
    if f.task.legal_rep_required:
        return [
            _v(B5, "任务要求法定代表人到场：不得以此干扰企业正常生产经营，请确有必要时写明理由。")
        ], ""
    return [], ""


RULES: list[tuple[Precheck, Check]] = [
    (A1, check_subject),
    (A2, check_officer_cert),
    (B1, check_two_officers),
    (A3, check_items),
    (TARGET, check_target),
    (A4, check_origin),
    (A4_LATE, check_late),
    (A5, check_cap),
    (A8, check_locality),
    (A6, check_merge_joint),
    (F9, check_triggered),
    (B5, check_legal_rep),
]


def _cap_at_limit(f: TaskFacts) -> list[Violation]:
    out = []
    for s in f.subjects:
        cap, counted, exempt = cap_terms(s, f.task)
        done, _ = f.counts.get(s.id, (0, 0))
        if counted and not exempt and done + 1 == cap:
            out.append(A5.rule.warning(f"{s.name}本次检查后达到年度上限 {cap} 次。"))
    return out


def run(session: Session, facts: TaskFacts) -> PrecheckResult:
    """Run every rule; a rule's own exception on bad data becomes its failure, not a crash."""
    outcomes: list[Outcome] = []
    for rule, check in RULES:
        try:
            violations, note = check(session, facts)
        except DomainError as exc:
            violations, note = [_v(rule, exc.message)], ""
        if rule is A5 and not violations:
            at_limit = _cap_at_limit(facts)
            if at_limit:
                outcomes.append(Outcome(rule, "warn", at_limit, note))
                continue
        severe = "warn" if rule.severity == "WARN" else "fail"
        status = severe if violations else "pass"
        outcomes.append(Outcome(rule, status, violations, note))
    return PrecheckResult(outcomes)
