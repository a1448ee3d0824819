"""The checks of rules D1–D19 on a case: each returns the violations it finds, never raises.

Why apart from the service: the service raises on BLOCK findings and records WARN ones, the
case page (phase 2) shows the same findings before the officer acts, and the tests call each
check at, under and over its threshold. Every threshold comes from the policy file through the
catalogue entry's parameters; money is compared in fen, and "以上/以下" include the number
(BOUND).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from wurao.auth.models import User
from wurao.auth.permissions import Role
from wurao.cases.models import PenaltyCase
from wurao.cases.statuses import (
    DECIDED_STATES,
    PartyKind,
    PenaltyKind,
    Procedure,
    kinds_label,
    kinds_of,
)
from wurao.core import rules as catalogue
from wurao.core.errors import Violation
from wurao.core.ids import ric_age_on
from wurao.core.policy import get_policy
from wurao.registry.models import EnforcementSubject, Officer

MINOR_NO_PENALTY = 14  # 行政处罚法 第30条：不满十四周岁的未成年人有违法行为的，不予行政处罚
ADULT = 18  # 已满十四周岁不满十八周岁的，应当从轻或者减轻行政处罚


def yuan(fen: int) -> str:
    """An amount in fen as the documents write it (元, two decimals only when needed)."""
    whole, cents = divmod(fen, 100)
    return f"{whole:,}元" if cents == 0 else f"{whole:,}.{cents:02d}元"


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February falls on 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _party(case: PenaltyCase) -> str:
    return "person" if case.party_kind == PartyKind.PERSON else "organisation"


# --- D1: limitation ---------------------------------------------------------------------------


def limitation_end(case: PenaltyCase) -> dt.date:
    """The last day on which the act may be discovered (D1; a continuing act from its end)."""
    start = case.act_end_on or case.act_on
    param = "case.limitation_years_grave" if case.grave_harm else "case.limitation_years"
    years = int(get_policy().value(param, case.region_code, start))
    return add_years(start, years)


def limitation_problems(case: PenaltyCase) -> list[Violation]:
    """D1: discovered after the limitation ran out, without a recorded 法律另有规定."""
    end = limitation_end(case)
    if case.found_on <= end or case.limitation_override.strip():
        return []
    kind = "五年（涉及生命健康安全、金融安全且有危害后果）" if case.grave_harm else "二年"
    return [
        catalogue.D1.violation(
            f"违法行为{'终了' if case.act_end_on else '发生'}于"
            f"{(case.act_end_on or case.act_on).isoformat()}，至{end.isoformat()}追责时效"
            f"（{kind}）届满，线索于{case.found_on.isoformat()}才发现，不得立案；"
            "法律另有规定的，请在“时效例外依据”中写明。",
            field="found_on",
            limitation_end=end.isoformat(),
        )
    ]


# --- D6: hearing rights -----------------------------------------------------------------------


def hearing_threshold_fen(case: PenaltyCase, on: dt.date) -> int:
    """The 较大数额 for the case's field and party in force on ``on`` (fen)."""
    table = get_policy().value("case.hearing_fine_thresholds", case.region_code, on)
    row = table.get(case.field) or table["default"]
    return int(row[_party(case)]) * 100


def hearing_reasons(
    case: PenaltyCase, kinds: set[str], fine_fen: int, confiscation_fen: int, on: dt.date
) -> list[str]:
    """Why the proposed penalty gives the party hearing rights (D6); empty if it does not."""
    out: list[str] = []
    threshold = hearing_threshold_fen(case, on)
    who = "个人" if case.party_kind == PartyKind.PERSON else "单位"
    if PenaltyKind.FINE in kinds and fine_fen >= threshold:
        out.append(f"罚款{yuan(fine_fen)}达到对{who}较大数额{yuan(threshold)}（含本数）")
    if PenaltyKind.CONFISCATION in kinds and confiscation_fen >= threshold:
        out.append(f"没收{yuan(confiscation_fen)}达到较大数额{yuan(threshold)}（含本数）")
    heavy = set(get_policy().value("case.hearing_kinds", case.region_code, on)) & kinds
    if heavy:
        out.append(f"拟作出{kinds_label('|' + '|'.join(heavy) + '|')}")
    return out


# --- D5: no heavier than notified -------------------------------------------------------------


def heavier_problems(
    case: PenaltyCase, kinds: set[str], fine_fen: int, confiscation_fen: int
) -> list[Violation]:
    """D5: the decision may not exceed the 告知 without a new 告知."""
    out: list[Violation] = []
    added = kinds - kinds_of(case.notice_kinds)
    if added:
        out.append(
            catalogue.D5.violation(
                f"决定增加了告知书未载明的处罚种类（{kinds_label('|' + '|'.join(added) + '|')}），"
                "须重新告知。",
                field="kinds",
            )
        )
    if fine_fen > case.notice_fine_fen:
        out.append(
            catalogue.D5.violation(
                f"罚款{yuan(fine_fen)}高于告知的{yuan(case.notice_fine_fen)}，须重新告知。",
                field="fine",
            )
        )
    if confiscation_fen > case.notice_confiscation_fen:
        out.append(
            catalogue.D5.violation(
                f"没收金额{yuan(confiscation_fen)}高于告知的"
                f"{yuan(case.notice_confiscation_fen)}，须重新告知。",
                field="confiscation",
            )
        )
    return out


# --- D10, D11: legal review and collective discussion ------------------------------------------


def legal_review_reasons(case: PenaltyCase, on: dt.date) -> list[str]:
    """Why the case needs 法制审核 before the decision (D10); empty if it does not."""
    out: list[str] = []
    if case.procedure == Procedure.ORDINARY and get_policy().value(
        "case.legal_review_all_ordinary", case.region_code, on
    ):
        out.append("本地区普通程序案件一律法制审核")
    if case.hearing_held_on is not None:
        out.append("经听证程序")
    if case.complex_case:
        out.append("案件情况疑难复杂或涉及重大公共利益")
    return out


def discussion_reasons(case: PenaltyCase, kinds: set[str], fine_fen: int, on: dt.date) -> list[str]:
    """Why the heads must decide collectively (D11); empty if they need not."""
    policy = get_policy()
    out: list[str] = []
    if case.complex_case:
        out.append("情节复杂或者重大违法行为")
    threshold = int(policy.value("case.collective_fine_yuan", case.region_code, on)) * 100
    if PenaltyKind.FINE in kinds and fine_fen >= threshold:
        out.append(f"罚款{yuan(fine_fen)}达到{yuan(threshold)}（含本数）")
    heavy = set(policy.value("case.collective_kinds", case.region_code, on)) & kinds
    if heavy:
        out.append(f"拟作出{kinds_label('|' + '|'.join(heavy) + '|')}")
    return out


def reviewer_share_problems(
    session: Session, subject: EnforcementSubject, on: dt.date
) -> list[Violation]:
    """衢政办发〔2025〕16号 第13项 (D10, WARN per subject): 法制审核 staff — the subject's active
    legal-reviewer accounts — at least the policy share (5 %, 不少于: inclusive) of its active
    enforcement officers."""
    staff = session.scalar(
        select(func.count())
        .select_from(Officer)
        .where(Officer.subject_id == subject.id, Officer.kind == "officer", Officer.active)
    )
    reviewers = session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.subject_id == subject.id,
            User.role == Role.LEGAL_REVIEWER.value,
            User.is_active,
        )
    )
    share = float(get_policy().value("legal_review.min_staff_share", subject.region_code, on))
    needed = math.ceil(share * int(staff or 0) - 1e-9)
    if int(reviewers or 0) >= needed:
        return []
    return [
        catalogue.D10.warning(
            f"{subject.name}有执法人员{staff}名、法制审核人员{reviewers}名，"
            f"法制审核人员应不少于执法人员的{share:.0%}（至少{needed}名）。",
            subject_id=subject.id,
            needed=needed,
        )
    ]


# --- D12: the decision's content --------------------------------------------------------------


def content_problems(
    case: PenaltyCase,
    *,
    kinds: set[str],
    fine_fen: int,
    confiscation_fen: int,
    reasons: str,
    remedy: str,
    evidence_count: int,
) -> list[Violation]:
    """D12: every item 行政处罚法 第59条 requires, and the reasons (说理) as real text."""
    d12 = catalogue.D12
    out: list[Violation] = []
    required = (
        ("facts", case.facts, "违法事实"),
        ("provisions_applied", case.provisions_applied, "行政处罚的依据"),
        ("reasons", reasons, "处罚理由（说理）"),
        ("remedy", remedy, "申请行政复议、提起行政诉讼的途径和期限"),
    )
    for field, text, label in required:
        if not text.strip():
            out.append(d12.violation(f"决定书须载明{label}，不能为空。", field=field))
    if evidence_count == 0 and case.procedure == Procedure.ORDINARY:
        out.append(d12.violation("决定书须载明证据，案件尚未登记任何证据。", field="evidence"))
    if not kinds:
        out.append(d12.violation("请选择处罚种类。", field="kinds"))
    if PenaltyKind.FINE in kinds and fine_fen <= 0:
        out.append(d12.violation("处罚种类含罚款，请填写罚款数额。", field="fine"))
    if PenaltyKind.FINE not in kinds and fine_fen > 0:
        out.append(d12.violation("填写了罚款数额，但处罚种类不含罚款。", field="kinds"))
    if PenaltyKind.CONFISCATION in kinds and confiscation_fen <= 0:
        out.append(d12.violation("处罚种类含没收，请填写没收金额或价值。", field="confiscation"))
    return out


# --- D14: the simple procedure ----------------------------------------------------------------


def simple_cap_fen(case: PenaltyCase, on: dt.date) -> int:
    """The largest fine the simple procedure allows for the party on ``on`` (fen, inclusive)."""
    param = (
        "case.simple_cap_person_yuan"
        if case.party_kind == PartyKind.PERSON
        else "case.simple_cap_org_yuan"
    )
    return int(get_policy().value(param, case.region_code, on)) * 100


def simple_problems(
    case: PenaltyCase, kinds: set[str], fine_fen: int, on: dt.date
) -> list[Violation]:
    """D14: only a warning or a fine up to the cap (BOUND: the cap itself is allowed)."""
    out: list[Violation] = []
    other = kinds - {PenaltyKind.WARNING.value, PenaltyKind.FINE.value}
    if other or not kinds:
        out.append(
            catalogue.D14.violation(
                "当场处罚仅限警告或者小额罚款"
                + (f"，不能作出{kinds_label('|' + '|'.join(other) + '|')}" if other else "")
                + "。",
                field="kinds",
            )
        )
    cap = simple_cap_fen(case, on)
    if fine_fen > cap:
        who = "公民" if case.party_kind == PartyKind.PERSON else "法人或者其他组织"
        out.append(
            catalogue.D14.violation(
                f"对{who}当场罚款不得超过{yuan(cap)}（本案{yuan(fine_fen)}），请适用普通程序。",
                field="fine",
                cap_fen=cap,
            )
        )
    return out


# --- D18: minors ------------------------------------------------------------------------------


def minor_findings(case: PenaltyCase) -> list[Violation]:
    """D18: a person under 14 at the act is not penalised (BLOCK); 14–17 is 从轻或减轻 (WARN)."""
    if case.party_kind != PartyKind.PERSON or not case.person_ric:
        return []
    age = ric_age_on(case.person_ric, case.act_on)
    if age < MINOR_NO_PENALTY:
        return [
            catalogue.D18.violation(
                f"当事人违法行为发生时{age}周岁，不满十四周岁，不予行政处罚（可作不予处罚决定）。",
                field="person_ric",
                age=age,
            )
        ]
    if age < ADULT:
        return [
            catalogue.D18.warning(
                f"当事人违法行为发生时{age}周岁，应当从轻或者减轻行政处罚。",
                field="person_ric",
                age=age,
            )
        ]
    return []


# --- D19: one act, one fine -------------------------------------------------------------------


def _norm(text: str) -> str:
    return "".join(text.split())


def double_fine_problems(session: Session, case: PenaltyCase) -> list[Violation]:
    """D19: another decided fine of the same party for the same act — the same provisions
    breached and an overlapping act period — blocks a second fine."""
    if case.party_kind == PartyKind.PERSON:
        same_party = PenaltyCase.person_ric == case.person_ric
    else:
        same_party = PenaltyCase.enterprise_id == case.enterprise_id
    end = case.act_end_on or case.act_on
    other_end = func.coalesce(PenaltyCase.act_end_on, PenaltyCase.act_on)
    stmt = select(PenaltyCase).where(
        same_party,
        PenaltyCase.id != case.id,
        PenaltyCase.status.in_([s.value for s in DECIDED_STATES]),
        PenaltyCase.fine_fen > 0,
        and_(PenaltyCase.act_on <= end, other_end >= case.act_on),
        PenaltyCase.party_kind == case.party_kind,
    )
    mine = _norm(case.provisions_breached)
    out = []
    for other in session.scalars(stmt):
        if _norm(other.provisions_breached) == mine:
            out.append(
                catalogue.D19.violation(
                    f"当事人同一违法行为已由{other.number}处以罚款{yuan(other.fine_fen)}，"
                    "不得再次罚款。",
                    field="fine",
                    case_id=other.id,
                )
            )
    return out
