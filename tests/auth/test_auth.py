"""Accounts: password rules, lock-out, role bindings and region scope in the service layer."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from wurao.auth import service
from wurao.auth.models import User
from wurao.auth.permissions import Role
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, InvalidInput
from wurao.demo.seed import DEMO_PASSWORD


def new_user(**kw: object) -> service.NewUser:
    base: dict[str, object] = {
        "username": "new_user",
        "display_name": "新用户",
        "password": "Passw0rd!x",
        "role": Role.SUPERVISOR,
        "region_code": "330802",
    }
    base.update(kw)
    return service.NewUser(**base)  # type: ignore[arg-type]


def test_password_is_hashed_with_argon2(db: Session, personas: Personas) -> None:
    user = service.create_user(db, actor=personas.admin, data=new_user())
    assert user.password_hash.startswith("$argon2id$")
    assert "Passw0rd" not in user.password_hash


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "short1"}, "password"),
        ({"password": "alllowercase"}, "password"),
        ({"username": "a b"}, "username"),
        ({"region_code": "123"}, "region_code"),
        ({"region_code": "330899"}, "region_code"),
        ({"role": Role.OFFICER}, "subject_id"),
        ({"role": Role.ENTERPRISE}, "enterprise_uscc"),
        ({"role": Role.ENTERPRISE, "enterprise_uscc": "91330802MA2A00001X"}, "enterprise_uscc"),
    ],
)
def test_invalid_accounts_are_refused(
    db: Session, personas: Personas, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        service.create_user(db, actor=personas.admin, data=new_user(**changes))
    assert err.value.field == field


def test_duplicate_username_conflicts(db: Session, personas: Personas) -> None:
    with pytest.raises(Conflict):
        service.create_user(db, actor=personas.admin, data=new_user(username="kc_sfj"))


def test_only_user_managers_create_accounts(db: Session, personas: Personas) -> None:
    with pytest.raises(Forbidden):
        service.create_user(db, actor=personas.supervisor, data=new_user())


def test_lock_out_after_repeated_failures(db: Session) -> None:
    limit = get_settings().login_max_failures
    for _ in range(limit - 1):
        with pytest.raises(service.LoginFailed, match="用户名或密码错误"):
            service.authenticate(db, username="kc_scjg_zhang", password="wrong")
    with pytest.raises(service.LoginFailed, match="锁定"):
        service.authenticate(db, username="kc_scjg_zhang", password="wrong")
    # Even the right password is refused while locked.
    with pytest.raises(service.LoginFailed, match="锁定"):
        service.authenticate(db, username="kc_scjg_zhang", password=DEMO_PASSWORD)
    user = db.scalar(select(User).where(User.username == "kc_scjg_zhang"))
    assert user is not None
    assert user.locked_until is not None


def test_successful_sign_in_resets_failures(db: Session) -> None:
    with pytest.raises(service.LoginFailed):
        service.authenticate(db, username="kc_sfj", password="wrong")
    user = service.authenticate(db, username="kc_sfj", password=DEMO_PASSWORD)
    assert user.failed_logins == 0
    assert user.last_login_at is not None


def test_unknown_user_gives_the_same_message(db: Session) -> None:
    with pytest.raises(service.LoginFailed, match="用户名或密码错误"):
        service.authenticate(db, username="nobody", password="x")


def test_county_supervisor_sees_own_county_only(db: Session, personas: Personas) -> None:
    users = service.list_users(db, actor=personas.supervisor, per_page=100).items
    regions = {u.region_code for u in users}
    assert "330802" in regions
    assert all(r.startswith("330802") for r in regions)
    neighbour = db.scalar(select(User).where(User.username == "qj_sfj"))
    assert neighbour is not None
    with pytest.raises(Exception, match="不在您的辖区"):
        service.get_user(db, actor=personas.supervisor, user_id=neighbour.id)


def test_town_accounts_are_within_the_county(db: Session, personas: Personas) -> None:
    service.create_user(
        db, actor=personas.admin, data=new_user(username="town_user", region_code="330802001")
    )
    names = {
        u.username for u in service.list_users(db, actor=personas.supervisor, per_page=100).items
    }
    assert "town_user" in names
    other = {
        u.username
        for u in service.list_users(db, actor=personas.neighbour_supervisor, per_page=100).items
    }
    assert "town_user" not in other
    assert "kc_sfj" not in other


def test_agency_admin_sees_own_subject_only(db: Session, personas: Personas) -> None:
    users = service.list_users(db, actor=personas.agency_admin, per_page=100).items
    assert {u.subject_id for u in users} == {personas.agency_admin.subject_id}


def test_officer_cannot_list_users(db: Session, personas: Personas) -> None:
    with pytest.raises(Forbidden):
        service.list_users(db, actor=personas.officer)
