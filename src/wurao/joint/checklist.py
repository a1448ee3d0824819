"""一表通查: the merged checklist of a joint visit.

Every item's checklist lines, in item order; a line that two items (of one subject or several)
ask in the same words is shown once, with every subject and item that asks for it. Lines are
the same when their text is equal once whitespace and punctuation are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from wurao.registry.items.service import checklists_of, line_key
from wurao.registry.models import EnforcementSubject, InspectionItem


@dataclass
class MergedLine:
    """One line of the merged checklist and who asks for it."""

    text: str
    basis: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # item codes
    line_ids: list[int] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        """Asked by more than one item (shown once instead of twice)."""
        return len(self.line_ids) > 1


def merged_checklist(
    session: Session, asks: Sequence[tuple[EnforcementSubject, InspectionItem]]
) -> list[MergedLine]:
    """The merged checklist of (subject, item) pairs, duplicates shown once."""
    lines = checklists_of(session, list({i.id: i for _, i in asks}.values()))
    out: dict[str, MergedLine] = {}
    seen: set[tuple[int, int]] = set()
    for subject, item in asks:
        for line in lines.get(item.id, []):
            if (subject.id, line.id) in seen:
                continue
            seen.add((subject.id, line.id))
            merged = out.setdefault(line_key(line.text), MergedLine(text=line.text))
            if line.id not in merged.line_ids:
                merged.line_ids.append(line.id)
            if line.basis and line.basis not in merged.basis:
                merged.basis.append(line.basis)
            if subject.name not in merged.subjects:
                merged.subjects.append(subject.name)
            if item.code not in merged.items:
                merged.items.append(item.code)
    return list(out.values())
