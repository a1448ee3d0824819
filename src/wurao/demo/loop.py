"""The supervisor's loop in the demo (#13): clues from every channel in every state, the
monitors' registries and an observed inspection, a review plan with scored files, open
rectifications and supervision documents — so the loop is visible on first sign-in.

Runs after the nightly sweep of ``wurao demo`` (the alerts it raised take part).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session


@dataclass
class LoopSummary:
    """One line per part, in Chinese, for the demo's output."""

    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "监督闭环：" + "；".join(self.lines) if self.lines else "监督闭环：无"


def generate_loop(session: Session) -> LoopSummary:
    """Write every part of the loop through the services, in dependency order."""
    from wurao.demo import (
        loop_clues,
        loop_documents,
        loop_monitors,
        loop_rectification,
        loop_reviews,
    )

    out = LoopSummary()
    for part in (loop_clues, loop_monitors, loop_reviews, loop_rectification, loop_documents):
        line = part.generate(session)
        if line:
            out.lines.append(line)
    return out
