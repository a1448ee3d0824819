"""Domain errors. One handler (wurao.web.errors) renders them as a Chinese page, an htmx
fragment or JSON, by what the client asked for."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every error a service raises on purpose; ``message`` is Chinese."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist, or is outside what the caller may see."""

    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    """The caller may not do this."""

    status_code = 403
    code = "forbidden"


class NotAuthenticated(DomainError):
    """No valid sign-in or token."""

    status_code = 401
    code = "not_authenticated"


class Conflict(DomainError):
    """The object's state does not allow this change (already done, changed meanwhile)."""

    status_code = 409
    code = "conflict"


class InvalidInput(DomainError):
    """Input that fails validation; ``field`` names the offending field when known."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Violation:
    """One failed rule: its id (docs/rules.md), Chinese title, source and the evidence."""

    rule_id: str
    title: str
    source: str
    detail: str
    severity: str = "BLOCK"
    evidence: dict[str, object] = field(default_factory=dict)


class RuleViolation(DomainError):
    """One or more blocking rules failed; every failure is listed, never only the first."""

    status_code = 422
    code = "rule_violation"

    def __init__(self, violations: list[Violation], message: str | None = None) -> None:
        self.violations = violations
        text = message or "；".join(f"{v.title}：{v.detail}" for v in violations)
        super().__init__(text)
