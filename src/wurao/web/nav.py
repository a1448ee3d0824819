"""Top navigation by role: each entry is shown only to roles holding its permission."""

from __future__ import annotations

from dataclasses import dataclass

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor


@dataclass(frozen=True)
class NavItem:
    """A top-navigation link."""

    label: str
    href: str
    permission: Permission
    subject_only: bool = False  # a page of the actor's own subject (a sysadmin has none)


OWN = Permission.TASKS_MANAGE  # with subject_only: the pages of the actor's own subject

NAV: list[NavItem] = [
    NavItem("首页", "/", Permission.HOME),
    NavItem("执法主体", "/registry/subjects", Permission.REGISTRY_VIEW),
    NavItem("执法人员", "/registry/officers", Permission.REGISTRY_VIEW),
    NavItem("检查对象", "/registry/enterprises", Permission.REGISTRY_VIEW),
    NavItem("检查事项", "/registry/items", Permission.REGISTRY_VIEW),
    NavItem("导入导出", "/registry/imports", Permission.REGISTRY_VIEW),
    NavItem("检查计划", "/plans", Permission.PLANS_VIEW),
    NavItem("检查任务", "/tasks", Permission.TASKS_VIEW),
    NavItem("企业服务", "/enterprise", Permission.ENTERPRISE_PORTAL),
    NavItem("我的检查", "/enterprise/inspections", Permission.ENTERPRISE_PORTAL),
    NavItem("行政处罚", "/cases", Permission.CASES_VIEW),
    NavItem("行政强制", "/coercion", Permission.CASES_VIEW),
    NavItem("裁量基准", "/discretion", Permission.CASES_VIEW),
    NavItem("免罚清单", "/leniency", Permission.CASES_VIEW),
    NavItem("我的案件", "/enterprise/cases", Permission.ENTERPRISE_PORTAL),
    NavItem("企业改期申请", "/inspections/date-requests", OWN, subject_only=True),
    NavItem("企业整改", "/inspections/rectification-orders", OWN, subject_only=True),
    NavItem("邀约指导", "/inspections/guidance-requests", OWN, subject_only=True),
    NavItem("监督线索", "/oversight/clues", Permission.CLUES_VIEW),
    NavItem("监督员", "/registry/monitors", Permission.MONITORS_MANAGE),
    NavItem("随行监督", "/inspections/observed", Permission.TASKS_OBSERVE),
    NavItem("交办线索", "/oversight/my-clues", Permission.ALERTS_RESPOND),
    NavItem("企业评价", "/oversight/evaluations", Permission.EVALUATIONS_VIEW),
    NavItem("双随机", "/draws", Permission.TASKS_VIEW),
    NavItem("监督预警", "/oversight/alerts", Permission.ALERTS_VIEW),
    NavItem("整改销号", "/oversight/rectifications", Permission.ALERTS_VIEW),
    NavItem("重大决定备案", "/oversight/filings", Permission.CASES_VIEW),
    NavItem("案卷评查", "/oversight/reviews", Permission.REVIEWS_VIEW),
    NavItem("监督文书", "/oversight/documents", Permission.ALERTS_VIEW),
    NavItem("监督看板", "/oversight/dashboard", Permission.DASHBOARD_VIEW),
    NavItem("入企到访", "/inspections/visit-figures", Permission.DASHBOARD_VIEW),
    NavItem("年度数据", "/reports/annual", Permission.PLANS_VIEW),
    NavItem("罚没收入", "/oversight/fines", Permission.DASHBOARD_VIEW),
    NavItem("收件箱", "/inbox", Permission.ALERTS_VIEW),
    NavItem("账号", "/admin/users", Permission.USERS_VIEW),
    NavItem("审计日志", "/admin/audit", Permission.AUDIT_VIEW),
    NavItem("节假日安排", "/admin/calendar", Permission.CALENDAR_MANAGE),
    NavItem("政策参数", "/policy", Permission.POLICY_VIEW),
]


def nav_for(actor: Actor | None) -> list[NavItem]:
    """The navigation entries the actor may use."""
    if actor is None:
        return []
    return [
        item
        for item in NAV
        if actor.can(item.permission) and (not item.subject_only or actor.subject_id is not None)
    ]
