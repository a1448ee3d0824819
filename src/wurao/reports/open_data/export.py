"""Bulk files of the open data: every resource as CSV and JSON Lines under ``<var>/opendata/``.

``wurao opendata export`` writes them (nightly, from cron or a systemd timer); the API serves
them as they are (``/api/open/v1/bulk/{resource}.jsonl|csv``). Each file is written beside
its final name and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from wurao.core.config import get_settings
from wurao.core.time import utcnow
from wurao.reports.open_data.formats import csv_text, json_line
from wurao.reports.open_data.queries import Filters
from wurao.reports.open_data.resources import RESOURCES, Resource

BULK_FORMATS = ("jsonl", "csv")
BATCH = 1000


def bulk_dir(base: Path | None = None) -> Path:
    """Where the bulk files live (``<var>/opendata`` unless given)."""
    return base if base is not None else get_settings().var_dir / "opendata"


def bulk_path(name: str, fmt: str, base: Path | None = None) -> Path:
    """The bulk file of a resource in a format (``name`` and ``fmt`` already checked)."""
    return bulk_dir(base) / f"{name}.{fmt}"


@dataclass(frozen=True)
class Written:
    """One bulk file written: its path, rows and digest."""

    path: Path
    rows: int
    sha256: str


def _replace(path: Path, data: bytes) -> str:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return hashlib.sha256(data).hexdigest()


def export_resource(session: Session, res: Resource, out: Path) -> list[Written]:
    """Write one resource as JSON Lines and CSV, every row in id order."""
    lines: list[str] = []
    csv_parts = [csv_text(res.model, [])]  # the header
    page, total = 1, 0
    while True:
        found = res.read(session, Filters(), page, BATCH)
        lines.extend(json_line(r) for r in found.items)
        csv_parts.append(csv_text(res.model, found.items, header=False))
        total += len(found.items)
        if page >= found.pages:
            break
        page += 1
    jsonl = "".join(line + "\n" for line in lines).encode()
    csv_data = "".join(csv_parts).encode("utf-8-sig")
    written = []
    for fmt, data in (("jsonl", jsonl), ("csv", csv_data)):
        path = bulk_path(res.name, fmt, out)
        written.append(Written(path, total, _replace(path, data)))
    return written


def export_all(
    session: Session, *, out: Path | None = None, names: list[str] | None = None
) -> list[Written]:
    """Write every (or the named) resource's bulk files and a manifest.json beside them."""
    target = bulk_dir(out)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    for name in names or list(RESOURCES):
        written.extend(export_resource(session, RESOURCES[name], target))
    manifest = {
        "generated_at": utcnow().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "files": [{"file": w.path.name, "rows": w.rows, "sha256": w.sha256} for w in written],
    }
    _replace(target / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return written
