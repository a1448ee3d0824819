"""API shapes of accounts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from wurao.auth.permissions import Role
from wurao.web.params import BodyId, Text


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
    username: Annotated[str, Text(60, "用户名")] = Field(min_length=3)
    display_name: Annotated[str, Text(60, "姓名")] = Field(min_length=1)
    password: Annotated[str, Text(200, "密码")] = Field(min_length=1)
    role: Role
    region_code: Annotated[str, Text(12, "行政区划代码")]
    subject_id: BodyId | None = None
    enterprise_uscc: Annotated[str, Text(40, "企业统一社会信用代码")] | None = None


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
