"""Demo clues: every channel, every state, written through the clue services as kc_sfj.

Channels: a public report of an inspection without a code, an enterprise's evaluation, 12345
and 12348 work-order exports imported with a saved column mapping (one work order twice:
merged), a service request from another system (the API channel) and the manual channels
(司法建议, 行政检察, 信访, 媒体, 司法所走访). States: new (the supervisor has some to route),
处理中, routed within its deadline (the market regulator's administrator, kc_scjg_admin, has
clues waiting), overdue and pressed (督办), answered (待核实: the supervisor has some to close),
returned, closed after 核实 with the reporter's 回访, and closed directly. Dates lie in the
past so that some deadlines have run out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.inspections.models import Evaluation, InspectionTask
from wurao.oversight import service as oversight
from wurao.oversight.clues import imports, intake, service
from wurao.oversight.clues.statuses import ClueStatus
from wurao.oversight.models import Clue
from wurao.registry.models import EnforcementSubject, Enterprise

COUNTY = "330802"  # 柯城区, the supervisor persona's county
HEADER = ["工单号", "来电内容", "被反映部门", "来电人", "来电号码", "登记时间", "诉求分类"]
MAPPING = {
    "work_order_no": "工单号",
    "description": "来电内容",
    "subject_text": "被反映部门",
    "reporter_name": "来电人",
    "reporter_contact": "来电号码",
    "received_at": "登记时间",
    "problem_type": "诉求分类",
}
HOTLINE_12345 = [
    ("同一周内市场监管和应急部门先后上门检查，材料重复提交", "柯城区市场监管局", "逐利执法"),
    ("来电称检查人员未亮码，也未出示执法证件", "柯城区市场监管局", "执法不规范"),
    ("反映检查后被要求购买指定的消防器材", "柯城区应急管理局", "逐利执法"),
    ("企业反映年度内被同一事项检查四次", "柯城区市场监管局", "低质量执法"),
    ("来电反映投诉食品问题两周无人处理", "柯城区市场监管局", "不作为"),
    ("反映执法人员现场拍照后未告知检查结果", "柯城区应急管理局", "执法不规范"),
    ("反映两个部门对同一问题要求不一，企业无所适从", "", "协作不畅"),
    ("来电咨询涉企检查扫码评价的方法", "", "平台使用"),
]  # fmt: skip
HOTLINE_12348 = [
    ("法律援助热线转来：企业反映行政处罚未告知陈述申辩权利", "柯城区市场监管局", "执法不规范"),
    ("12348转办：个体户反映被要求停业整改但无书面文书", "柯城区应急管理局", "执法不规范"),
    ("12348转办：反映罚没款票据开具不规范", "柯城区市场监管局", "其他"),
]  # fmt: skip
MANUAL = [
    ("court", "柯城区人民法院司法建议：一行政处罚案件送达程序有瑕疵", "（2026）浙0802司建3号"),
    ("procuratorate", "柯城区人民检察院行政检察建议：整改涉企重复检查", "柯检行建〔2026〕5号"),
    ("petition", "信访件：个体工商户反映检查中被要求当场缴纳罚款", "柯信〔2026〕112号"),
    ("media", "衢州日报读者来信：小微企业反映迎检负担重", ""),
    ("visit", "府山街道司法所走访企业时收集：企业反映检查前未告知事项清单", ""),
    ("petition", "信访件：反映执法人员检查时态度粗暴", "柯信〔2026〕131号"),
]  # fmt: skip


def _actor(session: Session, username: str) -> Actor | None:
    user = session.scalar(select(User).where(User.username == username))
    return auth_service.actor_for(user) if user is not None else None


def _csv(rows: list[tuple[str, str, str]], first: int, today: dt.date, days: int) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(HEADER)
    for n, (text, unit, kind) in enumerate(rows):
        when = today - dt.timedelta(days=days - 3 * n)
        stamp = f"{when.isoformat()} 09:{10 + n:02d}"
        number = f"GD{today.year}{first + n:06d}"
        out.writerow([number, text, unit, f"市民{n + 1}", f"1390570{first + n:04d}", stamp, kind])
    return buf.getvalue().encode("utf-8")


def _import(session: Session, sup: Actor, source: str, data: bytes) -> list[Clue]:
    header, _rows = imports.read_table(data, "工单导出.csv")
    saved = imports.saved_mapping(session, actor=sup, source=source)
    mapping = imports.suggest(header, saved) if saved else MAPPING
    imports.save_mapping(session, actor=sup, source=source, mapping=mapping, header=header)
    report = imports.check(
        session, actor=sup, source=source, data=data, filename="工单导出.csv", mapping=mapping
    )
    imports.apply(session, actor=sup, report=report)
    numbers = [v["work_order_no"] for _, v in report.valid]
    found = session.scalars(
        select(Clue).where(Clue.source == source, Clue.work_order_no.in_(numbers))
    ).all()
    by_no = {c.work_order_no: c for c in found}
    return [by_no[n] for n in numbers]


def generate(session: Session) -> str:
    """Write this part's demo rows through the services; a one-line Chinese summary."""
    sup = _actor(session, "kc_sfj")
    admin = _actor(session, "kc_scjg_admin")
    if sup is None or admin is None or admin.subject_id is None:
        return ""
    today = local_today()
    subject = session.get(EnforcementSubject, admin.subject_id)
    other = session.scalar(
        select(EnforcementSubject)
        .where(EnforcementSubject.region_code == COUNTY, EnforcementSubject.id != admin.subject_id)
        .order_by(EnforcementSubject.id)
        .limit(1)
    )
    assert subject is not None
    made: list[Clue] = []

    # channels
    ent = session.scalar(
        select(Enterprise).where(Enterprise.region_code.startswith(COUNTY)).limit(1)
    )
    if ent is not None:
        made.append(
            oversight.report_codeless(
                session,
                report=oversight.CodelessReport(
                    enterprise_name="",
                    enterprise_uscc=ent.uscc,
                    occurred_on=today - dt.timedelta(days=20),
                    agency="柯城区市场监管局",
                    people=3,
                    description="三人上门检查，未出示行政行为码，也未说明检查依据。",
                    contact="13905700001",
                ),
            )
        )
    held = select(Clue.task_id).where(Clue.task_id.is_not(None))
    pair = session.execute(
        select(Evaluation, InspectionTask)
        .join(InspectionTask, InspectionTask.id == Evaluation.task_id)
        .where(
            Evaluation.misconduct != "",
            InspectionTask.region_code.startswith(COUNTY),
            InspectionTask.id.not_in(held),
        )
        .limit(1)
    ).first()
    if pair is not None:
        made.append(
            oversight.clue_from_evaluation(session, evaluation=pair[0], task=pair[1], actor=sup)
        )
    else:  # every misconduct evaluation already opened its clue (demo history): walk one on
        rated = session.scalar(
            select(Clue)
            .where(
                Clue.source == "evaluation",
                Clue.region_code.startswith(COUNTY),
                Clue.status == ClueStatus.NEW.value,
            )
            .order_by(Clue.id)
            .limit(1)
        )
        if rated is not None:
            made.append(rated)
    hot = _import(session, sup, "hotline_12345", _csv(HOTLINE_12345, 1, today, 40))
    made += hot
    made += _import(session, sup, "hotline_12348", _csv(HOTLINE_12348, 501, today, 30))
    # the same work order exported again a week later: merged into its clue, not created
    _import(session, sup, "hotline_12345", _csv([("来电人再次催办：" + HOTLINE_12345[1][0],
                                                  "", "执法不规范")], 2, today, 10))  # fmt: skip
    made.append(
        intake.create(
            session,
            actor=sup,
            api=True,
            data=intake.ClueInput(
                source="api",
                description="“浙里办”转来：企业反映检查结果未反馈",
                received_on=today - dt.timedelta(days=12),
            ),
        )
    )
    for n, (source, text, number) in enumerate(MANUAL):
        made.append(
            intake.create(
                session,
                actor=sup,
                data=intake.ClueInput(
                    source=source,
                    description=text,
                    work_order_no=number,
                    received_on=today - dt.timedelta(days=35 - 5 * n),
                ),
            )
        )

    # states: walk the clues through the loop, oldest first
    def route(clue: Clue, days_ago: int, to: EnforcementSubject | None = None) -> None:
        service.route(
            session, clue=clue, actor=sup, subject=to or subject,
            note="请核实并答复。", today=today - dt.timedelta(days=days_ago),
        )  # fmt: skip

    def answer(clue: Clue) -> None:
        service.answer(
            session, clue=clue, actor=admin,
            body="已核实：检查人员已补办手续，已向企业说明情况并致歉，相关人员已约谈。",
        )  # fmt: skip

    steps = iter(made)

    def nxt() -> Clue | None:
        return next(steps, None)

    # 1–2 overdue and pressed (督办)
    for _ in range(2):
        if (c := nxt()) is not None:
            route(c, 30)
            service.supervise(
                session, clue=c, actor=sup, note="已超期，请三日内答复。", today=today
            )
    # 3 closed after 核实 with the reporter's 回访
    for _ in range(2):
        if (c := nxt()) is not None:
            route(c, 25)
            answer(c)
            service.accept(session, clue=c, actor=sup, note="经核实，整改到位，予以办结。")
            service.follow_up(session, clue=c, actor=sup, note="电话回访反映人，对处理结果满意。")
    # answered, waiting for the supervisor to verify and close
    for _ in range(2):
        if (c := nxt()) is not None:
            route(c, 12)
            answer(c)
    # returned once, routed again
    if (c := nxt()) is not None:
        route(c, 20)
        answer(c)
        service.send_back(
            session, clue=c, actor=sup, note="答复未附整改材料，请补充。",
            today=today - dt.timedelta(days=3),
        )  # fmt: skip
    # routed within the deadline: the subject administrator's to-do list
    for n in range(3):
        if (c := nxt()) is not None:
            route(c, 2, other if n == 2 and other is not None else None)
    # handled by the supervisor itself, and closed directly
    if (c := nxt()) is not None:
        service.handle(session, clue=c, actor=sup, note="已电话联系企业了解情况。")
    if (c := nxt()) is not None:
        service.close(session, clue=c, actor=sup, note="经核查，检查有计划、已亮码，查无实据。")
        service.follow_up(session, clue=c, actor=sup, note="已向反映人说明核查结果。")
    # the rest stay new: the supervisor's clues to route
    session.flush()
    states = Counter(ClueStatus(c.status).label for c in made)
    kinds = Counter(c.source for c in made)
    overdue = sum(1 for c in made if c.status == "routed" and c.due_on and c.due_on < today)
    return (
        f"监督线索{len(made)}条（{len(kinds)}个渠道；"
        + "、".join(f"{k}{v}" for k, v in states.items())
        + f"；超期{overdue}条已督办）"
    )
