"""Registry imports: api routes."""

from __future__ import annotations

from fastapi import APIRouter

from wurao.web.deps import TxRoute
from wurao.web.errors import API_ERRORS

router = APIRouter(route_class=TxRoute, responses=API_ERRORS)
