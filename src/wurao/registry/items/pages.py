"""Inspection item pages (检查事项清单) and the public listing (公示)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.text import LONG_TEXT
from wurao.registry import service as registry
from wurao.registry.items import service
from wurao.registry.items.methods import METHODS
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import MAX_LIST, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def _common() -> dict[str, object]:
    return {
        "basis_levels": {level: level for level in service.BASIS_LEVELS},
        "method_labels": METHODS,
        "status_labels": service.STATUS_LABELS,
        "methods_of": service.method_labels,
    }


class ItemForm(PageForm):
    """修改草稿: an item's fields and its checklist (the code stays)."""

    name: Annotated[str, Text(200, "事项名称")] = ""
    field: Annotated[str, Text(30, "执法领域")] = ""
    region_code: Annotated[str, Text(12, "发布区划代码")] = ""
    basis_level: Annotated[str, Text(20, "依据层级")] = ""
    basis_law: Annotated[str, Text(200, "依据名称")] = ""
    basis_article: Annotated[str, Text(100, "依据条款")] = ""
    standard: Annotated[str, Text(LONG_TEXT, "检查标准")] = ""
    methods: list[Annotated[str, Text(10, "检查方式")]] = Field(
        default_factory=list, max_length=MAX_LIST, title="检查方式"
    )
    on_dss_list: bool = False
    lines: Annotated[str, Text(LONG_TEXT, "检查表单")] = ""

    def data(self, code: str) -> service.ItemData:
        return service.ItemData(
            code=code,
            name=self.name,
            field=self.field,
            region_code=self.region_code,
            basis_level=self.basis_level,
            basis_law=self.basis_law,
            basis_article=self.basis_article,
            standard=self.standard,
            methods=self.methods,
            on_dss_list=self.on_dss_list,
        )


class NewItemForm(ItemForm):
    """起草检查事项: the same fields and the item's code."""

    code: Annotated[str, Text(40, "事项编码")] = ""


@router.get("/registry/items", response_class=HTMLResponse)
def items_page(
    request: Request,
    q: str = "",
    field: str = "",
    status: str = "",
    dss: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Items applicable in, or made within, the caller's region."""
    found = service.list_items(db, actor=actor, q=q, field=field, status=status, dss=dss, page=page)
    return render(
        request,
        "registry/items.html",
        {
            **found.context("items"),
            "filters": {"q": q, "field": field, "status": status, "dss": dss},
            **_common(),
        },
    )


@router.post("/registry/items", response_class=HTMLResponse)
def create_item(
    request: Request,
    form: Annotated[NewItemForm, Form()],
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Draft an item from the form, with its checklist (refused: the list page again)."""
    item = service.create_item(db, actor=actor, data=form.data(form.code))
    parsed = service.parse_lines(form.lines)
    if parsed:
        service.set_checklist(db, item=item, lines=parsed, actor=actor)
    flash(request, f"已起草检查事项 {item.code}。")
    return RedirectResponse(f"/registry/items/{item.code}", status_code=303)


@router.get("/registry/items/{code}", response_class=HTMLResponse)
def item_detail(
    request: Request,
    code: str,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One item with its checklist; a draft can be edited and published here."""
    item = service.get_item(db, actor=actor, code=code)
    lines = service.checklist_of(db, item)
    return render(
        request,
        "registry/items_detail.html",
        {
            "item": item,
            "lines": lines,
            "lines_text": "\n".join(
                ln.text + (f" | {ln.basis}" if ln.basis else "") for ln in lines
            ),
            "region_name": registry.region_path(db, item.region_code),
            **_common(),
        },
    )


@router.post("/registry/items/{code}", response_class=HTMLResponse)
def update_item(
    request: Request,
    code: str,
    form: Annotated[ItemForm, Form()],
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save a draft item and its checklist (refused: the item page again, input kept)."""
    item = service.get_item(db, actor=actor, code=code)
    service.update_item(db, item=item, actor=actor, data=form.data(item.code))
    service.set_checklist(db, item=item, lines=service.parse_lines(form.lines), actor=actor)
    flash(request, "已保存。")
    return RedirectResponse(f"/registry/items/{item.code}", status_code=303)


@router.post("/registry/items/{code}/publish", response_class=HTMLResponse)
def publish_item(
    request: Request,
    code: str,
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Publish a draft item."""
    item = service.publish_item(db, item=service.get_item(db, actor=actor, code=code), actor=actor)
    flash(request, f"已公布检查事项 {item.code}。")
    return RedirectResponse(f"/registry/items/{item.code}", status_code=303)


@router.post("/registry/items/{code}/withdraw", response_class=HTMLResponse)
def withdraw_item(
    request: Request,
    code: str,
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Stop using a published item."""
    item = service.withdraw_item(db, item=service.get_item(db, actor=actor, code=code), actor=actor)
    flash(request, f"检查事项 {item.code} 已停止使用。")
    return RedirectResponse(f"/registry/items/{item.code}", status_code=303)


@router.get("/public/items", response_class=HTMLResponse)
def public_items(
    request: Request,
    region: str = "",
    q: str = "",
    field: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """The published inspection items applicable in a region (公示), open to everyone."""
    found = service.list_public_items(db, region=region, q=q, field=field, page=page)
    region_name = registry.region_path(db, region.strip()) if region.strip() else ""
    return render(
        request,
        "registry/public_items.html",
        {
            **found.context("items"),
            "lines": service.checklists_of(db, found.items),
            "filters": {"region": region, "q": q, "field": field},
            "region_name": region_name,
            **_common(),
        },
    )


@router.get("/public/items/{code}", response_class=HTMLResponse)
def public_item(
    request: Request,
    code: str,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One published item with its legal basis, standard and checklist."""
    item = service.get_public_item(db, code=code)
    return render(
        request,
        "registry/public_items_detail.html",
        {
            "item": item,
            "lines": service.checklist_of(db, item),
            "region_name": registry.region_path(db, item.region_code),
            **_common(),
        },
    )
