"""The draw form's fields: read as typed (to parse, or to show again beside an error) and
parsed into ``service.DrawData``; an error's field for the form to mark."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from wurao.auth.scope import Actor
from wurao.core.errors import DomainError, InvalidInput, RuleViolation
from wurao.core.time import local_today
from wurao.sampling import service
from wurao.web.forms import form_date, required_int

_TEXT_FIELDS = (
    "title", "region_code", "industry_codes", "tags", "exclude_months", "draw_date", "method",
    "window_start", "window_end", "officers_per_subject", "officer_cap", "public_value_note",
    "replaces",
)  # fmt: skip


def values(form: FormData) -> dict[str, Any]:
    """The submitted draw form as it was typed (to parse, or to show again with an error)."""
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = form.get(name, "")
        values[name] = value if isinstance(value, str) else ""
    for name in ("subject_ids", "item_ids"):
        values[name] = [v for v in form.getlist(name) if isinstance(v, str) and v]
    values["credit_classes"] = "".join(c for c in "ABCD" if form.get(f"class_{c}"))
    return values


def draw_data(values: dict[str, Any], actor: Actor) -> service.DrawData:
    """Parse the form's values; an unreadable one raises ``InvalidInput`` naming its field."""
    subject_ids = [required_int(v, "subject_ids") for v in values["subject_ids"]]
    if actor.subject_id is not None and actor.subject_id in subject_ids:
        subject_ids.remove(actor.subject_id)
        subject_ids.insert(0, actor.subject_id)
    draw_date = form_date(values["draw_date"], "draw_date") or local_today()
    return service.DrawData(
        title=values["title"],
        subject_ids=subject_ids,
        item_ids=[required_int(v, "item_ids") for v in values["item_ids"]],
        region_code=values["region_code"] or actor.region_code,
        draw_date=draw_date,
        method=values["method"] or "onsite",
        window_start=form_date(values["window_start"], "window_start") or draw_date,
        window_end=form_date(values["window_end"], "window_end") or draw_date,
        industry_codes=values["industry_codes"],
        credit_classes=values["credit_classes"],
        tags=values["tags"],
        exclude_months=required_int(values["exclude_months"] or "0", "exclude_months"),
        officers_per_subject=required_int(
            values["officers_per_subject"] or "2", "officers_per_subject"
        ),
        officer_cap=required_int(values["officer_cap"] or "10", "officer_cap"),
        public_value_note=values["public_value_note"],
    )


def field_of(exc: DomainError) -> str:
    """The form field an error belongs to ("" for the whole form)."""
    if isinstance(exc, InvalidInput):
        return exc.field or ""
    if isinstance(exc, RuleViolation) and all(
        v.rule_id.startswith("C3") and "value" in v.evidence for v in exc.violations
    ):
        return "officers_per_subject"  # C3 at definition: fewer than two per subject
    return ""
