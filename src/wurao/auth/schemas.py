"""API shapes of accounts."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from wurao.auth.permissions import Role


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    region_code: str
    subject_id: int | None
    enterprise_uscc: str | None
    is_active: bool
    last_login_at: dt.datetime | None


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    page: int


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=60)
    display_name: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1)
    role: Role
    region_code: str
    subject_id: int | None = None
    enterprise_uscc: str | None = None


class MeOut(BaseModel):
    user_id: int | None
    username: str
    display_name: str
    role: Role
    role_label: str
    region_code: str
    subject_id: int | None
    enterprise_uscc: str | None
    permissions: list[str]
