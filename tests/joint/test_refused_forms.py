"""Refused joint-inspection forms come back on their page (issue 19 item 2): the typed values
kept, the error beside its field, nothing saved."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.joint.test_proposals import MARCH, merge_for, pair
from wurao.joint import proposal_reads, proposals
from wurao.joint.models import JointProposal


def _error_beside(html: str, name: str) -> str:
    found = re.search(rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)<', html)
    return found.group(1) if found else ""


def test_a_refused_period_comes_back_with_the_dates_typed(
    db: Session, personas: Personas, client: TestClient
) -> None:
    pair(db, personas)
    db.commit()
    token = sign_in(client, "kc_sfj")
    before = db.scalar(select(func.count()).select_from(JointProposal))
    page = client.post(
        "/joint/proposals",
        data={
            "csrf_token": token,
            "_back": "/joint/proposals",
            "period_start": "2026-03-31",
            "period_end": "2026-03-01",
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "period_end") == "结束日期早于开始日期。"
    assert 'value="2026-03-31"' in page.text and 'value="2026-03-01"' in page.text
    assert db.scalar(select(func.count()).select_from(JointProposal)) == before


def test_a_decline_without_a_reason_is_refused_on_the_merge_page(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w, _, _, _ = pair(db, personas)
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    merge = merge_for(db, p, w.enterprise.id).merge
    db.commit()
    token = sign_in(client, "kc_scjg_zhang")
    url = f"/joint/merges/{merge.id}"
    page = client.post(
        f"{url}/decision", data={"csrf_token": token, "_back": url, "accept": "0", "reason": ""}
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert "一表通查" in page.text and 'id="decide"' in page.text
    assert _error_beside(page.text, "reason") == "拒绝联合检查须写明理由。"
    db.expire_all()
    view = proposal_reads.merge_views(db, [merge])[0]
    assert view.pending_for(personas.officer.subject_id)
