"""API shapes of the supervision documents."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class DocumentSourceOut(BaseModel):
    """One record a document was drawn from."""

    kind: str
    id: int
    label: str


class DocumentOut(BaseModel):
    """A supervision document as the API shows it (the text, not the .docx)."""

    id: int
    kind: str
    kind_label: str
    number: str
    subject_id: int
    title: str
    body: str
    sources: list[DocumentSourceOut]
    issued_at: dt.datetime
    docx_sha256: str
    template_version: str
    reply_due_on: dt.date
    status: str
    status_label: str
    overdue: bool
    reply: str
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None


class ListedDocumentOut(BaseModel):
    """One row of the list (a 风险提示函 has no status or reply deadline)."""

    kind: str
    id: int
    number: str
    subject_id: int
    title: str
    issued_at: dt.datetime
    status: str
    reply_due_on: dt.date | None
    overdue: bool
