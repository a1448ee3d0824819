"""Sign-in, sign-out and the account's API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import StringConstraints
from sqlalchemy.orm import Session

from wurao.auth import service
from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.web.deps import SESSION_COOKIE_KEY, TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import Id, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


class LoginForm(PageForm):
    """登录. A wrong password is answered by the route itself (401), not by the form."""

    username: Annotated[str, Text(60, "用户名")] = ""
    # a password is checked as typed (the form strips every other text)
    password: Annotated[str, StringConstraints(strip_whitespace=False), Text(200, "密码")] = ""
    next: Annotated[str, Text(2000, "跳转地址")] = "/"


class TokenForm(PageForm):
    """申请 API 令牌."""

    name: Annotated[str, Text(60, "令牌用途")] = ""


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next: str = "/", actor: Actor | None = Depends(public)
) -> Response:
    """The sign-in page."""
    if actor is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    form: Annotated[LoginForm, Form()],
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Check the password; on success open a session and go on."""
    username, next = form.username, form.next
    try:
        user = service.authenticate(db, username=username, password=form.password)
    except service.LoginFailed as exc:
        # Returning (not raising) keeps the counted failure and any lock: the edge commits.
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "username": username, "error": exc.message},
            status_code=401,
        )
    token = service.start_session(db, user=user, user_agent=request.headers.get("user-agent", ""))
    request.session.clear()
    request.session[SESSION_COOKIE_KEY] = token
    flash(request, f"欢迎，{user.display_name}。")
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(
    request: Request,
    _: Actor = Depends(require(Permission.HOME)),
    db: Session = Depends(get_db),
) -> Response:
    """End the session."""
    token = request.session.get(SESSION_COOKIE_KEY)
    if token:
        service.end_session(db, token=str(token))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request,
    actor: Actor = Depends(require(Permission.ACCOUNT)),
    db: Session = Depends(get_db),
) -> Response:
    """The account's API tokens."""
    return render(request, "tokens.html", {"tokens": service.list_api_tokens(db, actor=actor)})


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    form: Annotated[TokenForm, Form()],
    actor: Actor = Depends(require(Permission.ACCOUNT)),
    db: Session = Depends(get_db),
) -> Response:
    """Issue a token and show it once."""
    _, raw = service.create_api_token(db, actor=actor, name=form.name)
    return render(
        request,
        "tokens.html",
        {"tokens": service.list_api_tokens(db, actor=actor), "new_token": raw},
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: Id,
    actor: Actor = Depends(require(Permission.ACCOUNT)),
    db: Session = Depends(get_db),
) -> Response:
    """Revoke a token."""
    service.revoke_api_token(db, actor=actor, token_id=token_id)
    flash(request, "令牌已撤销。")
    return RedirectResponse("/account/tokens", status_code=303)
