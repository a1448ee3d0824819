"""Enterprise registry pages (检查对象名录库)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.registry import service as registry
from wurao.registry.enterprises import service
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
CREDIT_OPTIONS = {c: f"{c}类" for c in service.CREDIT_CLASSES}


class EnterpriseForm(PageForm):
    """修改检查对象 (the USCC stays)."""

    name: Annotated[str, Text(200, "名称")] = ""
    region_code: Annotated[str, Text(12, "行政区划代码")] = ""
    address: Annotated[str, Text(300, "地址")] = ""
    industry_code: Annotated[str, Text(5, "行业代码")] = ""
    status: Annotated[str, Text(16, "登记状态")] = "active"
    credit_class: Annotated[str, Text(1, "信用等级")] = "B"
    tags: Annotated[str, Text(200, "标签")] = ""
    contact_name: Annotated[str, Text(60, "联系人")] = ""
    contact_phone: Annotated[str, Text(30, "联系电话")] = ""


class NewEnterpriseForm(EnterpriseForm):
    """登记检查对象: the same fields, the USCC and the reason to accept its check digit."""

    uscc: Annotated[str, Text(40, "统一社会信用代码")] = ""
    uscc_override: Annotated[str, Text(200, "校验位例外理由")] = ""


@router.get("/registry/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request,
    q: str = "",
    status: str = "",
    credit: str = "",
    industry: str = "",
    tag: str = "",
    region: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The enterprises in the caller's region, searchable and paginated."""
    result = service.list_enterprises(
        db,
        actor=actor,
        q=q,
        status=status,
        credit=credit,
        industry=industry,
        tag=tag,
        region=region,
        page=page,
    )
    return render(
        request,
        "registry/enterprises.html",
        {
            "result": result,
            "filters": {
                "q": q,
                "status": status,
                "credit": credit,
                "industry": industry,
                "tag": tag,
                "region": region,
            },
            "statuses": service.STATUS_LABELS,
            "credits": service.CREDIT_CLASSES,
            "credit_options": CREDIT_OPTIONS,
            "status_label": service.status_label,
        },
    )


@router.post("/registry/enterprises", response_class=HTMLResponse)
def create_enterprise(
    request: Request,
    form: Annotated[NewEnterpriseForm, Form()],
    actor: Actor = Depends(require(Permission.ENTERPRISES_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Register an enterprise from the form (refused: the list page again, input kept)."""
    enterprise = service.create_enterprise(
        db, actor=actor, data=service.NewEnterprise(**form.model_dump())
    )
    flash(request, f"已登记检查对象 {enterprise.name}。")
    for warning in service.enterprise_warnings(enterprise):
        flash(request, warning, "warn")
    return RedirectResponse(f"/registry/enterprises/{enterprise.uscc}", status_code=303)


@router.get("/registry/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise_detail(
    request: Request,
    uscc: str,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One enterprise, with its warnings and inspection problems."""
    enterprise = service.get_by_uscc(db, actor=actor, uscc=uscc)
    return render(
        request,
        "registry/enterprises_detail.html",
        {
            "e": enterprise,
            "region_name": registry.region_path(db, enterprise.region_code),
            "status_text": service.status_label(enterprise.status),
            "tags": service.tags_to_list(enterprise.tags),
            "warnings": service.enterprise_warnings(enterprise),
            "problems": service.enterprise_problems(enterprise),
            "statuses": service.STATUS_LABELS,
            "credits": service.CREDIT_CLASSES,
            "credit_options": CREDIT_OPTIONS,
        },
    )


@router.post("/registry/enterprises/{uscc}", response_class=HTMLResponse)
def update_enterprise(
    request: Request,
    uscc: str,
    form: Annotated[EnterpriseForm, Form()],
    actor: Actor = Depends(require(Permission.ENTERPRISES_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save the edit form (refused: the enterprise page again, input kept)."""
    enterprise = service.get_by_uscc(db, actor=actor, uscc=uscc)
    service.update_enterprise(db, enterprise=enterprise, actor=actor, **form.model_dump())
    flash(request, "已保存。")
    return RedirectResponse(f"/registry/enterprises/{enterprise.uscc}", status_code=303)
