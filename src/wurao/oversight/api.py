"""Oversight: api routes."""

from __future__ import annotations

from fastapi import APIRouter

from wurao.web.deps import TxRoute

router = APIRouter(route_class=TxRoute)
