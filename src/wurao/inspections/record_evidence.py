"""Evidence of an inspection record: a file uploaded by the officer (stored content-addressed
under ``var_dir/evidence/<sha256>``, written before the transaction commits, so a rolled-back
upload can leave an orphan file no row points to) or an external audio/video recording
registered by its SHA-256; each with its audit entry.
"""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit, evidence_store
from wurao.core.errors import InvalidInput
from wurao.core.time import utcnow
from wurao.inspections.models import (
    Evidence,
    InspectionTask,
)
from wurao.inspections.records import bounded_text, writable


def add_evidence_file(
    session: Session, *, task: InspectionTask, actor: Actor, filename: str, stream: BinaryIO
) -> Evidence:
    """Store an uploaded file by its SHA-256 and attach it to the record."""
    record = writable(session, task=task, actor=actor)
    name = evidence_store.clean_filename(filename)
    sha, size = evidence_store.store(stream)
    if size == 0:
        raise InvalidInput("上传的文件是空的。", field="file")
    evidence = Evidence(
        record_id=record.id, kind="file", filename=name, sha256=sha, size=size, created_at=utcnow()
    )
    session.add(evidence)
    audit.record(
        session,
        actor=actor,
        action="record.evidence",
        obj=evidence,
        summary=f"上传证据 {name}（SHA-256 {sha[:12]}…）",
        region_code=task.region_code,
    )
    return evidence


def add_evidence_external(
    session: Session,
    *,
    task: InspectionTask,
    actor: Actor,
    filename: str,
    sha256: str,
    uri: str,
    size: int = 0,
) -> Evidence:
    """Reference an audio or video recording kept elsewhere by its SHA-256 and location."""
    record = writable(session, task=task, actor=actor)
    name = evidence_store.clean_filename(filename)
    sha = sha256.strip().lower()
    if not evidence_store.is_sha256(sha):
        raise InvalidInput("请填写 64 位十六进制的 SHA-256 摘要。", field="sha256")
    location = bounded_text(uri, limit=300, field="uri", label="存放位置")
    if not location:
        raise InvalidInput("请填写音视频的存放位置（URI）。", field="uri")
    if size < 0:
        raise InvalidInput("文件大小不能为负数。", field="size")
    evidence = Evidence(
        record_id=record.id,
        kind="external",
        filename=name,
        sha256=sha,
        size=size,
        uri=location,
        created_at=utcnow(),
    )
    session.add(evidence)
    audit.record(
        session,
        actor=actor,
        action="record.evidence",
        obj=evidence,
        summary=f"登记外部音视频 {name}（SHA-256 {sha[:12]}…）",
        region_code=task.region_code,
    )
    return evidence
