"""Pre-checks before a 行政行为码 is issued: each applies a rule of the catalogue
(``wurao.core.rules``: id, title, source, severity, parameters).

"无码不查": a code is issued only when every BLOCK rule passes; WARN rules (A6 merge/joint,
B5 legal representative) travel with the code. A refusal lists every failed rule, never only
the first. The rules read a :class:`TaskFacts` loaded once per check; the frequency cap (A5)
reads counts that ``issuing.issue_code`` has locked first, so the verdict it acts on cannot be
overtaken by a concurrent issue.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from wurao.core.errors import DomainError, Violation
from wurao.inspections import cross_region
from wurao.inspections.precheck import (
    A1,
    A2,
    A3,
    A4,
    A4_LATE,
    A5,
    A6,
    A8,
    B1,
    B5,
    F9,
    TARGET,
    Check,
    Outcome,
    Precheck,
    PrecheckResult,
    TaskFacts,
    flag,
    item_ids_of,
    others_of,
    start_of,
)
from wurao.inspections.rules_frequency import cap_at_limit, check_cap, check_triggered
from wurao.inspections.rules_origin import check_late, check_origin
from wurao.inspections.statuses import OPEN_STATUSES
from wurao.registry.enterprises.service import enterprise_problems
from wurao.registry.items.service import item_problems
from wurao.registry.officers.service import MIN_OFFICERS, officer_problems
from wurao.registry.subjects.service import subject_problems


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
                flag(
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
        out.append(flag(A2, "任务未指派执法人员。"))
    by_id = {s.id: s for s in f.subjects}
    for t, officer in f.officers:
        subject = by_id.get(t.subject_id)
        if officer.subject_id != t.subject_id or subject is None:
            out.append(
                flag(A2, f"{officer.name}不是本任务执法主体的执法人员。", officer_id=officer.id)
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
            out.append(flag(A3, f"{s.name}在本任务中没有检查事项。", subject_id=s.id))
    return out, "、".join(i.code for _, i in f.items)


def check_target(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """The enterprise exists and is not 注销/吊销."""
    return enterprise_problems(f.enterprise), f.enterprise.name


def check_locality(session: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A8: the enterprise lies in the subject's area, or a recorded approval of a common
    superior covers this enterprise, these items and the window (``cross_region``)."""
    out: list[Violation] = []
    notes = []
    task = f.task
    start = start_of(task)
    for s in f.subjects:
        if not cross_region.is_remote(s, f.enterprise):
            continue
        visit = cross_region.Visit(
            subject=s,
            enterprise=f.enterprise,
            item_ids=tuple(item_ids_of(f, s.id)),
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
    rows = [
        (r.id, r.subject_id)
        for r in others_of(session, f)  # the same rows as ``overlaps_open`` in SQL
        if r.subject_id is not None
        and r.status in OPEN_STATUSES
        and r.window_start <= task.window_end
        and r.window_end >= task.window_start
    ]
    out: list[Violation] = []
    same = sorted({r[0] for r in rows if r[1] in f.task_subjects})
    other = sorted({r[0] for r in rows if r[1] not in f.task_subjects})
    if same:
        out.append(
            flag(
                A6,
                f"本主体在同一时段对该企业还有未完成的检查任务（{same}），能合并的应合并。",
                tasks=same,
            )
        )
    if other:
        out.append(
            flag(
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
        out.append(flag(A6, "所有检查事项均可通过非现场或书面核查完成，请说明入企现场检查的理由。"))
    return out, ""


def check_legal_rep(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """B5 WARN: the task demands the legal representative be present."""
    if f.task.legal_rep_required:
        return [
            flag(B5, "任务要求法定代表人到场：不得以此干扰企业正常生产经营，请确有必要时写明理由。")
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


def run(session: Session, facts: TaskFacts) -> PrecheckResult:
    """Run every rule; a rule's own exception on bad data becomes its failure, not a crash."""
    outcomes: list[Outcome] = []
    for rule, check in RULES:
        try:
            violations, note = check(session, facts)
        except DomainError as exc:
            violations, note = [flag(rule, exc.message)], ""
        if rule is A5 and not violations:
            at_limit = cap_at_limit(facts)
            if at_limit:
                outcomes.append(Outcome(rule, "warn", at_limit, note))
                continue
        severe = "warn" if rule.severity == "WARN" else "fail"
        status = severe if violations else "pass"
        outcomes.append(Outcome(rule, status, violations, note))
    return PrecheckResult(outcomes)
