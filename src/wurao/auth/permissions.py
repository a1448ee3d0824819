"""Roles and what each may do. Routes declare a permission; services check it again."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """The platform's roles (docs/architecture.md "Who uses it")."""

    SYSADMIN = "sysadmin"
    SUPERVISOR = "supervisor"
    AGENCY_ADMIN = "agency_admin"
    OFFICER = "officer"
    LEGAL_REVIEWER = "legal_reviewer"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        """Chinese name of the role."""
        return ROLE_LABELS[self]

    @property
    def needs_subject(self) -> bool:
        """Agency roles are bound to an enforcement subject."""
        return self in AGENCY_ROLES


ROLE_LABELS = {
    Role.SYSADMIN: "系统管理员",
    Role.SUPERVISOR: "执法监督机构",
    Role.AGENCY_ADMIN: "执法主体管理员",
    Role.OFFICER: "执法人员",
    Role.LEGAL_REVIEWER: "法制审核人员",
    Role.ENTERPRISE: "企业",
}

AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.OFFICER, Role.LEGAL_REVIEWER})


class Permission(enum.StrEnum):
    """Named capabilities; each route declares the one it needs."""

    HOME = "home"
    ACCOUNT = "account"
    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    CALENDAR_MANAGE = "calendar.manage"
    POLICY_VIEW = "policy.view"
    REGISTRY_VIEW = "registry.view"
    SUBJECTS_MANAGE = "subjects.manage"
    OFFICERS_MANAGE = "officers.manage"
    ENTERPRISES_MANAGE = "enterprises.manage"
    ITEMS_MANAGE = "items.manage"
    MONITORS_MANAGE = "monitors.manage"  # 执法监督员 and 企业联系点 of the region (the supervisor)
    PLANS_VIEW = "plans.view"
    PLANS_EDIT = "plans.edit"  # draft, submit, record the head's approval, publish, file
    PLANS_REVIEW_FILING = "plans.review_filing"  # the supervisor accepts or returns a filing
    SPECIAL_LEGAL_REVIEW = "special.legal_review"  # 法制审核 of a 专项检查
    UNPLANNED_REQUEST = "unplanned.request"
    UNPLANNED_APPROVE = "unplanned.approve"
    TASKS_VIEW = "tasks.view"
    TASKS_MANAGE = "tasks.manage"  # create tasks, request and issue codes
    CODES_REVOKE = "codes.revoke"
    TASKS_OBSERVE = "tasks.observe"  # 伴随式监督: join an inspection, file findings on it
    RECORDS_WRITE = "records.write"  # the officer on site
    EVALUATIONS_VIEW = "evaluations.view"  # individual evaluations: the supervisor only
    CLUES_VIEW = "clues.view"
    ENTERPRISE_PORTAL = "enterprise.portal"  # an enterprise's own inspections and evaluations
    DRAWS_MANAGE = "draws.manage"  # define, freeze, run and cancel 双随机 draws; publish results
    DRAWS_SUPERVISE = "draws.supervise"  # enter a draw's public random value; see late results
    ALERTS_VIEW = "alerts.view"  # supervision alerts: the region's, or the subject's own
    ALERTS_MANAGE = "alerts.manage"  # send a 风险提示函, dismiss an alert (the supervisor)
    ALERTS_RESPOND = "alerts.respond"  # the subject's written response (整改)
    DOCUMENTS_ISSUE = (
        "documents.issue"  # issue 监督意见书/建议书/督办通知/评查通报 (the supervisor)
    )
    DASHBOARD_VIEW = "dashboard.view"  # the supervisor's indicator dashboard
    CASES_VIEW = "cases.view"  # penalty cases: the subject's own, the reviewer's, the region's
    CASES_HANDLE = "cases.handle"  # open, file, investigate, notify, decide, serve, execute
    CASES_LEGAL_REVIEW = "cases.legal_review"  # 法制审核 of the cases sent for review
    REVIEWS_VIEW = "reviews.view"  # 案卷评查: plans, drawn files, scores, totals
    REVIEWS_MANAGE = "reviews.manage"  # plan, draw, assign reviewers, score (the supervisor)


_ALL_SIGNED_IN = {Permission.HOME, Permission.ACCOUNT, Permission.POLICY_VIEW}
_STAFF = _ALL_SIGNED_IN | {
    Permission.REGISTRY_VIEW,
    Permission.PLANS_VIEW,
    Permission.TASKS_VIEW,
    Permission.CASES_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Everything but the enterprise's own portal: a system administrator is no enterprise, and
    # its 我的检查 / 我的案件 pages would only answer 403.
    Role.SYSADMIN: frozenset(Permission) - {Permission.ENTERPRISE_PORTAL},
    # The supervisor confirms subjects (主体确认) and keeps the region's registries.
    Role.SUPERVISOR: frozenset(
        _STAFF
        | {
            Permission.USERS_VIEW,
            Permission.AUDIT_VIEW,
            Permission.SUBJECTS_MANAGE,
            Permission.ENTERPRISES_MANAGE,
            Permission.ITEMS_MANAGE,
            Permission.MONITORS_MANAGE,
            Permission.TASKS_OBSERVE,
            Permission.PLANS_REVIEW_FILING,
            Permission.CODES_REVOKE,
            Permission.EVALUATIONS_VIEW,
            Permission.CLUES_VIEW,
            Permission.DRAWS_SUPERVISE,
            Permission.ALERTS_VIEW,
            Permission.ALERTS_MANAGE,
            Permission.DOCUMENTS_ISSUE,
            Permission.DASHBOARD_VIEW,
            Permission.REVIEWS_VIEW,
            Permission.REVIEWS_MANAGE,
        }
    ),
    # An agency keeps its own officers and its field's items and adds enterprises.
    Role.AGENCY_ADMIN: frozenset(
        _STAFF
        | {
            Permission.USERS_VIEW,
            Permission.OFFICERS_MANAGE,
            Permission.ENTERPRISES_MANAGE,
            Permission.ITEMS_MANAGE,
            Permission.PLANS_EDIT,
            Permission.UNPLANNED_REQUEST,
            Permission.UNPLANNED_APPROVE,
            Permission.TASKS_MANAGE,
            Permission.CODES_REVOKE,
            Permission.DRAWS_MANAGE,
            Permission.ALERTS_VIEW,
            Permission.ALERTS_RESPOND,
            Permission.CASES_HANDLE,
        }
    ),
    Role.OFFICER: frozenset(
        _STAFF
        | {Permission.UNPLANNED_REQUEST, Permission.TASKS_MANAGE, Permission.RECORDS_WRITE}
        | {Permission.ALERTS_VIEW, Permission.CASES_HANDLE}
    ),
    Role.LEGAL_REVIEWER: frozenset(
        _STAFF | {Permission.SPECIAL_LEGAL_REVIEW, Permission.CASES_LEGAL_REVIEW}
    ),
    Role.ENTERPRISE: frozenset(_ALL_SIGNED_IN | {Permission.ENTERPRISE_PORTAL}),
}


def role_can(role: Role, permission: Permission) -> bool:
    """Whether a role holds a permission."""
    return permission in ROLE_PERMISSIONS[role]
