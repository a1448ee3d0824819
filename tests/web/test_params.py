"""Every number a route accepts is bounded and every text has a documented maximum (issue 17
item 10): a walker over every route, and the edge cases that used to answer 500."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.web.test_routes import api_routes
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core import workdays
from wurao.core.errors import InvalidInput
from wurao.core.time import local_today
from wurao.planning.models import InspectionPlan
from wurao.web.app import create_app
from wurao.web.forms import form_int, form_year
from wurao.web.params import Text

# Page forms read by routes another change is rewriting; the edge's backstop (MAX_TEXT)
# applies to them meanwhile. Nothing else may appear here.
UNBOUNDED_FORM_FIELDS = {
    ("POST", "/admin/calendar", "text"),
    ("POST", "/admin/calendar", "year"),
    ("POST", "/registry/imports", "kind"),
}


@pytest.fixture(scope="module")
def static_app() -> FastAPI:
    """The application, for walking its routes (no request reaches the database)."""
    application = create_app(create_engine("sqlite://"))
    workdays.configure(None)  # create_app pointed the working-day calendar at this engine
    return application


def _leaves(tp: Any, meta: tuple[Any, ...]) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Each leaf type inside ``tp`` with the constraints that apply to it."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *extra = get_args(tp)
        flat: list[Any] = []
        for item in extra:
            flat.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        yield from _leaves(base, meta + tuple(flat))
    elif origin in (Union, types.UnionType):
        for arg in get_args(tp):
            yield from _leaves(arg, meta)
    elif origin in (list, tuple, dict, set, frozenset):
        for arg in get_args(tp):
            if arg is not Ellipsis:
                yield from _leaves(arg, ())
    else:
        yield tp, meta


def _has_max(meta: tuple[Any, ...], kinds: tuple[type, ...]) -> bool:
    return any(isinstance(m, kinds) for m in meta)


def _problems(name: str, annotation: Any, meta: tuple[Any, ...], *, text: bool) -> list[str]:
    found: list[str] = []
    for leaf, constraints in _leaves(annotation, meta):
        if leaf is int and not _has_max(constraints, (annotated_types.Le, annotated_types.Lt)):
            found.append(f"{name}: int without an upper bound")
        if text and leaf is str and not _has_max(constraints, (Text, annotated_types.MaxLen)):
            found.append(f"{name}: text without a maximum length")
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            found.extend(_model_problems(leaf, set()))
    return found


def _model_problems(model: type[BaseModel], seen: set[type]) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    found: list[str] = []
    for name, field in model.model_fields.items():
        where = f"{model.__name__}.{name}"
        found.extend(_problems(where, field.annotation, tuple(field.metadata), text=True))
    return found


def _params(dependant: Any) -> Iterator[tuple[str, Any]]:
    for param in dependant.path_params + dependant.query_params + dependant.body_params:
        yield param.name, param
    for sub in dependant.dependencies:
        yield from _params(sub)


def test_every_number_and_every_text_of_every_route_is_bounded(static_app: FastAPI) -> None:
    problems: list[str] = []
    for path, methods, route in api_routes(static_app):
        method = sorted(methods)[0]
        for name, param in _params(route.dependant):
            info = param.field_info
            in_body = param in route.dependant.body_params
            if in_body and (method, path, name) in UNBOUNDED_FORM_FIELDS:
                continue
            for problem in _problems(name, info.annotation, tuple(info.metadata), text=in_body):
                problems.append(f"{method} {path} {problem}")
    assert not problems, "unbounded parameters:\n" + "\n".join(sorted(set(problems)))


class Loose(BaseModel):
    name: str
    count: int


def loose(item_id: int, body: Loose) -> None:
    """A route written without the shared types."""


def test_the_walker_finds_an_unbounded_route(static_app: FastAPI) -> None:
    static_app.add_api_route("/api/v1/loose/{item_id}", loose, methods=["POST"])
    try:
        with pytest.raises(AssertionError) as failed:
            test_every_number_and_every_text_of_every_route_is_bounded(static_app)
    finally:
        static_app.router.routes.pop()
    message = str(failed.value)
    assert "item_id: int without an upper bound" in message
    assert "Loose.name: text without a maximum length" in message
    assert "Loose.count: int without an upper bound" in message


def test_openapi_documents_the_limits(static_app: FastAPI) -> None:
    spec = static_app.openapi()
    title = spec["components"]["schemas"]["PlanIn"]["properties"]["title"]
    assert title["maxLength"] == 200 and title["description"] == "计划名称"
    assert "pattern" in title
    task = spec["paths"]["/api/v1/tasks/{task_id}"]["get"]
    (task_id,) = [p for p in task["parameters"] if p["name"] == "task_id"]
    assert task_id["schema"]["maximum"] == 2**63 - 1
    listing = spec["paths"]["/api/v1/plans"]["get"]["parameters"]
    year = next(p for p in listing if p["name"] == "year")
    assert year["schema"]["anyOf"][0]["maximum"] == 2100
    assert {"401", "403", "404", "409", "422"} <= set(task["responses"])
    error = task["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorOut")


def _bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="边界测试")
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/tasks/{HUGE}", "task_id"),
        (f"/api/v1/plans/{2**31}", "plan_id"),  # INTEGER key: PostgreSQL refused to compare
        (f"/api/v1/subjects/{2**63 - 1}", "subject_id"),
        (f"/api/v1/plans?year={HUGE}", "year"),
        (f"/api/v1/plans?page={HUGE}", "page"),
        (f"/api/v1/tasks?page={HUGE}", "page"),
        ("/api/v1/plans?page=0", "page"),
        (f"/api/v1/officers?subject_id={HUGE}", "subject_id"),
        (f"/api/v1/working-days?start=2026-01-05&n={HUGE}", "n"),
    ],
)
def test_out_of_range_numbers_are_422_naming_the_field(
    client: TestClient, db: Session, personas: Personas, url: str, field: str
) -> None:
    resp = client.get(url, headers=_bearer(db, personas.supervisor))
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"] == "invalid_input"
    assert resp.json()["field"] == field


def test_out_of_range_numbers_on_pages_are_chinese_422(client: TestClient) -> None:
    sign_in(client, "kc_sfj")
    task = client.get(f"/tasks/{HUGE}")
    assert task.status_code == 422
    assert "「任务编号」不能大于9223372036854775807。" in task.text
    plans = client.get(f"/plans?year={HUGE}")
    assert plans.status_code == 422 and "「年度」不能大于2100" in plans.text
    assert client.get("/plans?year=²").status_code == 422
    assert client.get(f"/public/plans?page={HUGE}").status_code == 422


def test_a_plan_title_over_its_maximum_is_refused(
    client: TestClient, db: Session, personas: Personas
) -> None:
    headers = _bearer(db, personas.agency_admin)
    before = db.scalar(select(func.count()).select_from(InspectionPlan))
    year = local_today().year
    resp = client.post("/api/v1/plans", headers=headers, json={"year": year, "title": "计" * 201})
    assert resp.status_code == 422
    assert resp.json()["message"] == "「计划名称」最多200个字。"
    assert resp.json()["field"] == "title"
    huge = client.post(
        "/api/v1/plans", headers=headers, json={"year": year, "title": "计" * 100_000}
    )
    assert huge.status_code == 422
    assert db.scalar(select(func.count()).select_from(InspectionPlan)) == before


def test_a_plan_title_over_its_maximum_is_refused_on_the_page(
    client: TestClient, db: Session
) -> None:
    csrf = sign_in(client, "kc_scjg_admin")
    data = {"csrf_token": csrf, "year": str(local_today().year), "title": "计" * 201}
    resp = client.post("/plans", data=data, follow_redirects=False)
    assert resp.status_code == 422
    assert "「计划名称」最多200个字。" in resp.text


def test_body_numbers_are_bounded(client: TestClient, db: Session, personas: Personas) -> None:
    headers = _bearer(db, personas.agency_admin)
    resp = client.post("/api/v1/plans", headers=headers, json={"year": 10**30})
    assert resp.status_code == 422
    assert resp.json()["message"] == "「年度」不能大于2100。"


@pytest.mark.parametrize("value", ["²", "١٢", "1" * 5000, "2147483648", "-1", "1.5"])
def test_form_int_refuses_what_int_cannot_store(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        form_int(value, "planned_count")
    assert refused.value.field == "planned_count"


def test_form_int_and_year_accept_their_range() -> None:
    assert form_int(" 42 ", "planned_count") == 42
    assert form_int("", "planned_count") is None
    assert form_year("2026") == 2026
    with pytest.raises(InvalidInput, match="2000至2100"):
        form_year("1999")


def test_literal_and_bool_fields_need_no_bounds() -> None:
    class Shape(BaseModel):
        flag: bool
        kind: Literal["a", "b"]

    assert _model_problems(Shape, set()) == []


@pytest.mark.parametrize(
    "url", ["/policy?region=abc", "/public/?region=x1", "/public/rules?region=9"]
)
def test_a_malformed_region_code_is_422_not_500(client: TestClient, url: str) -> None:
    sign_in(client, "kc_sfj")
    resp = client.get(url)
    assert resp.status_code == 422
    assert "行政区划代码应为6位" in resp.text
