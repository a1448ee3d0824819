"""A draw's artefacts: what anyone needs to recompute it (artefacts.json with pool.csv), and
the full verification package with the conflict salt for those who may hold it."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import Forbidden, NotFound
from wurao.core.time import to_local
from wurao.sampling import algorithm
from wurao.sampling.freeze import stored_pool
from wurao.sampling.models import Draw


def iso_local(value: dt.datetime | None) -> str | None:
    """A timestamp as published: ISO 8601 in Asia/Shanghai with its offset, to the second."""
    return None if value is None else to_local(value).replace(microsecond=0).isoformat()


def artefacts(draw: Draw) -> dict[str, Any]:
    """What anyone needs (with pool.csv) to recompute a draw: never the seed before the draw,
    never the conflict salt."""
    if draw.status == "draft" or not draw.frozen_json:
        raise NotFound("该抽查尚未冻结，没有可公开的材料。")
    result = json.loads(draw.result_json) if draw.result_json else {}
    return {
        "format": algorithm.ARTEFACTS_FORMAT,
        "algorithm": algorithm.ALGORITHM,
        "draw_id": draw.id,
        "status": draw.status,
        "frozen": json.loads(draw.frozen_json),
        "frozen_sha256": draw.frozen_sha256,
        "public_value": draw.public_value,
        "seed": draw.seed_hex if draw.seed_revealed else None,
        "selection": result.get("selection"),
        "teams": result.get("teams"),
        "times": {
            # the pool is frozen and the seed and salt committed in one transaction
            "pool_frozen_at": iso_local(draw.frozen_at),
            "seed_committed_at": iso_local(draw.frozen_at),
            "public_value_entered_at": iso_local(draw.public_value_at),
            "drawn_at": iso_local(draw.drawn_at),
            "cancelled_at": iso_local(draw.cancelled_at),
        },
        "pool_file": "pool.csv",
    }


def artefacts_bytes(draw: Draw) -> bytes:
    """artefacts.json as served: its RFC 8785 canonical form, byte for byte."""
    return algorithm.canonical(artefacts(draw))


def may_see_salt(actor: Actor, draw: Draw) -> bool:
    """Who may hold a draw's conflict salt: the supervisor of its region, the lead subject's
    draw managers, the system administrator (each may already see the declared conflicts)."""
    if actor.role is Role.SYSADMIN:
        return True
    if actor.can(Permission.DRAWS_SUPERVISE) and actor.covers_region(draw.region_code):
        return True
    return actor.can(Permission.DRAWS_MANAGE) and actor.subject_id == draw.lead_subject_id


VERIFY_README = """双随机抽查核验材料（抽查编号 {id}）

artefacts.json      公开的抽查材料（RFC 8785 规范化 JSON）
pool.csv            冻结的名录库文件
conflict-salt.txt   回避盐值（不公开；凭此可核验回避排除，也可推知回避关系，请妥善保管）

核验：wurao draw verify artefacts.json --pool pool.csv --salt-file conflict-salt.txt
"""


def verification_package(session: Session, *, draw: Draw, actor: Actor) -> bytes:
    """The full verification package (zip): artefacts, pool file and the conflict salt."""
    if not may_see_salt(actor, draw):
        raise Forbidden("完整核验材料（含回避盐值）只提供给执法监督机构和牵头执法主体。")
    files = {"artefacts.json": artefacts_bytes(draw), "pool.csv": stored_pool(session, draw)}
    if draw.conflict_salt_hex:
        files["conflict-salt.txt"] = f"{draw.conflict_salt_hex}\n".encode()
    files["README.txt"] = VERIFY_README.format(id=draw.id).encode()
    if draw.conflict_salt_hex:
        # The salt lets its holder test who was screened out as a conflict of interest:
        # every disclosure is on the record, as a change would be.
        audit.record(
            session,
            actor=actor,
            action="draw.disclose_salt",
            object_type="draw",
            object_id=str(draw.id),
            summary=f"下载抽取{draw.id}的完整核验材料（含回避盐值）",
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            package.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()
