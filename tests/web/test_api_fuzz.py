"""schemathesis over the application's OpenAPI, as every role: no request may answer 5xx and
every status must be one the OpenAPI documents (issue 17).

hypothesis draws the cases once per process from each operation's OpenAPI description —
``CASES`` positive and ``CASES`` negative ones (wrong types, out of range, missing fields),
derandomised so CI sees the same cases every time. Each persona then sends ``PER_PERSONA`` of
them, rotating so that together the personas send them all, through the application inside
the test's transaction. Failures are collected over every operation and reported together;
each comes with a curl command that reproduces it.

``WURAO_FUZZ_CASES`` and ``WURAO_FUZZ_PER_PERSONA`` raise the budget for a deeper local run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, status_code_conformance
from schemathesis.core.result import Ok
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.web.params import MAX_ID

CASES = int(os.environ.get("WURAO_FUZZ_CASES", "2"))
PER_PERSONA = int(os.environ.get("WURAO_FUZZ_PER_PERSONA", "2"))
USERNAMES = {
    "anonymous": "",
    "supervisor": "kc_sfj",
    "agency_admin": "kc_scjg_admin",
    "officer": "kc_scjg_zhang",
    "enterprise": "qiye_demo",
    "legal_reviewer": "kc_scjg_fzsh",
    "sysadmin": "admin",
}
CHECKS = [not_a_server_error, status_code_conformance]

_CASES: list[tuple[str, list[Any]]] = []


def map_path_parameters(
    context: Any, path_parameters: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Fold generated ids onto the seeded rows' small ids, so cases reach the services behind
    the 404s (the largest id stays as generated); token ids are moved away instead, or the
    persona would revoke its own token and test the rest signed out."""
    if not path_parameters:
        return path_parameters
    mapped = dict(path_parameters)
    for name, value in path_parameters.items():
        if not isinstance(value, int) or isinstance(value, bool) or value >= MAX_ID:
            continue
        mapped[name] = value + 10**6 if name == "token_id" else value % 40 + 1
    return mapped


def _draw(operation: Any, mode: GenerationMode) -> list[Any]:
    drawn: list[Any] = []

    @settings(
        max_examples=CASES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def collect(case: Any) -> None:
        drawn.append(case)

    try:
        collect()
    except Unsatisfiable:  # nothing to make negative: the operation takes no input
        return []
    return drawn


def _cases(app: FastAPI) -> list[tuple[str, list[Any]]]:
    """Every operation of the OpenAPI with its generated cases (drawn once per process: every
    test's application serves the same OpenAPI)."""
    if _CASES:
        return _CASES
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.hook(map_path_parameters)
    drawn: list[tuple[str, list[Any]]] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI has an invalid operation: {result}"
        operation = result.ok()
        positive = _draw(operation, GenerationMode.POSITIVE)
        negative = _draw(operation, GenerationMode.NEGATIVE)
        # Interleaved, so that any PER_PERSONA consecutive cases mix both kinds.
        mixed = [c for pair in zip(positive, negative, strict=False) for c in pair]
        longer = positive if len(positive) > len(negative) else negative
        drawn.append((operation.label, mixed + longer[len(mixed) // 2 :]))
    _CASES.extend(drawn)
    return _CASES


def _headers(db: Session, persona: str) -> dict[str, str]:
    """The persona's API bearer token (none for anonymous)."""
    if persona == "anonymous":
        return {}
    user = db.scalar(select(User).where(User.username == USERNAMES[persona]))
    assert user is not None
    _, raw = auth_service.create_api_token(db, actor=auth_service.actor_for(user), name="fuzz")
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("persona", list(USERNAMES))
def test_no_server_error_and_only_documented_statuses(
    app: FastAPI, db: Session, persona: str
) -> None:
    headers = _headers(db, persona)
    offset = list(USERNAMES).index(persona) * PER_PERSONA
    failures: list[str] = []
    sent = 0
    for label, cases in _cases(app):
        for n in range(min(PER_PERSONA, len(cases))):
            case = cases[(offset + n) % len(cases)]
            try:
                case.call_and_validate(app=app, headers=headers, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                failures.append(f"{label}: {str(exc).strip()[:1500]}")
                break
            sent += 1
    assert sent > 300, "too few cases reached the application"
    if failures and os.environ.get("WURAO_FUZZ_LOG"):
        with open(os.environ["WURAO_FUZZ_LOG"], "a", encoding="utf-8") as log:
            log.write(f"==== {persona}\n" + "\n\n".join(failures) + "\n")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
