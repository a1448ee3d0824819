"""Draft documents built from their sources: the facts, the rule and what is asked.

The supervisor opens the form from a clue, an alert or a review (or several); the draft fills
the kind, the addressee, a title and a body that the supervisor edits before issuing. The
sources are read through their own scoped getters, so a source outside the supervisor's
region is NotFound here too. A 评查通报 names its review plans by id only: its figures are
typed by the supervisor (the reviews package is not read here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.time import local_today
from wurao.oversight import engine
from wurao.oversight.clues import queries as clue_queries
from wurao.oversight.clues import routing
from wurao.oversight.clues.statuses import ClueSource, ClueStatus
from wurao.oversight.documents.service import Source, reply_due
from wurao.oversight.documents.statuses import DocumentKind, SourceKind
from wurao.oversight.models import Alert, Clue

MAX_SOURCES = 20

ASKS: dict[DocumentKind, str] = {
    DocumentKind.OPINION: (
        "请你单位对上述问题认真核查，依法予以纠正，并于{due}前将核查和整改情况书面答复我局。"
    ),
    DocumentKind.SUGGESTION: (
        "建议你单位针对上述问题查找原因、完善制度、加强执法人员培训，"
        "并于{due}前将采纳和落实情况书面答复我局。"
    ),
    DocumentKind.SUPERVISE: (
        "现对上述事项予以督办。请你单位高度重视，限期办结，并于{due}前将办理结果书面报告我局；"
        "逾期未办结的，我局将依规予以通报。"
    ),
    DocumentKind.REVIEW_REPORT: (
        "请你单位对照评查发现的问题逐项整改，建立整改台账、对账销号，"
        "并于{due}前将整改情况书面报告我局。"
    ),
}


@dataclass
class Draft:
    """The form's prefilled values."""

    kind: str = DocumentKind.OPINION.value
    subject_id: int | None = None
    title: str = ""
    body: str = ""
    sources: list[Source] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        """The sources as the form carries them (``clue:12``)."""
        return [f"{s.kind}:{s.id}" for s in self.sources]


def _clue_facts(clue: Clue, today: dt.date) -> str:
    source = ClueSource.labels().get(clue.source, clue.source)
    received = (clue.received_at or clue.created_at).date().isoformat()
    lines = [
        f"{received}，我局通过{source}渠道收到反映（线索编号{clue.reference or clue.id}）："
        f"{clue.description.strip()}"
    ]
    if clue.routed_on is not None and clue.due_on is not None:
        lines.append(
            f"该线索已于{clue.routed_on.isoformat()}交办你单位，办理期限为{clue.due_on.isoformat()}。"
        )
        late = routing.overdue_days(clue, today)
        if late:
            lines.append(f"截至{today.isoformat()}，你单位尚未答复，已超期{late}个工作日。")
    rule = routing.CLUE_RULE
    lines.append(f"依据：{rule.title}（{rule.source}）。")
    return "\n".join(lines)


def _alert_facts(alert: Alert) -> str:
    return "\n".join(
        [
            f"经涉企行政检查监督规则监测，发现你单位存在以下问题：{alert.title}。",
            f"具体情况：{alert.detail}",
            f"依据：{alert.rule_id}（{alert.source}）。",
        ]
    )


def parse_tokens(tokens: Sequence[str]) -> list[tuple[str, int]]:
    """``clue:12`` tokens from the form into (kind, id); InvalidInput on a malformed one."""
    out: list[tuple[str, int]] = []
    for token in tokens[: MAX_SOURCES + 1]:
        kind, _, ident = token.partition(":")
        if kind not in SourceKind.labels() or not ident.isdigit():
            raise InvalidInput("文书依据的格式不正确。", field="sources")
        out.append((kind, int(ident)))
    if len(out) > MAX_SOURCES:
        raise InvalidInput(f"一份文书最多依据{MAX_SOURCES}条记录。", field="sources")
    return out


def build(
    session: Session,
    *,
    actor: Actor,
    sources: Sequence[tuple[str, int]],
    kind: str = "",
    today: dt.date | None = None,
) -> Draft:
    """A draft from the given sources (each read through its scoped getter)."""
    today = today or local_today()
    draft = Draft()
    facts: list[str] = []
    clues_overdue = False
    for source_kind, ident in sources:
        if source_kind == SourceKind.CLUE:
            clue = clue_queries.get_clue(session, actor=actor, clue_id=ident)
            draft.sources.append(Source(source_kind, ident, f"监督线索 {clue.reference or ident}"))
            draft.subject_id = draft.subject_id or clue.subject_id
            clues_overdue = clues_overdue or (
                clue.status == ClueStatus.ROUTED and routing.is_overdue(clue, today)
            )
            facts.append(_clue_facts(clue, today))
            draft.title = draft.title or f"关于{clue.enterprise_name or '群众反映'}问题线索的办理"
        elif source_kind == SourceKind.ALERT:
            alert = engine.get_alert(session, actor=actor, alert_id=ident)
            draft.sources.append(Source(source_kind, ident, f"监督预警 {ident}：{alert.title}"))
            draft.subject_id = draft.subject_id or alert.subject_id
            facts.append(_alert_facts(alert))
            draft.title = draft.title or f"关于{alert.title}问题的监督意见"
        elif source_kind == SourceKind.REVIEW:
            draft.sources.append(Source(source_kind, ident, f"案卷评查计划 {ident}"))
            facts.append(
                f"按照案卷评查计划（第{ident}号）的安排，我局对你单位的行政执法案卷进行了评查。"
                "评查案卷____件，发现问题____个，其中一票否决____件。主要问题如下：\n____"
            )
            draft.title = draft.title or "关于行政执法案卷评查情况的通报"
        else:
            draft.sources.append(Source(source_kind, ident, f"整改事项 {ident}"))
    if kind in DocumentKind.labels():
        draft.kind = kind
    elif any(s.kind == SourceKind.REVIEW for s in draft.sources):
        draft.kind = DocumentKind.REVIEW_REPORT.value
    elif clues_overdue:
        draft.kind = DocumentKind.SUPERVISE.value
    if draft.sources:
        region = actor.region_code
        due = reply_due(today, region).isoformat()
        ask = ASKS[DocumentKind(draft.kind)].format(due=due)
        draft.body = "\n".join([*facts, ask])
    return draft
