"""执法流程 and 服务指南 as data: ``reports/data/procedures.toml`` and one
``reports/data/guides/<field>.toml`` per subject field (``default.toml`` for the others).

The portal's procedure and guide pages render these files; editing the text needs no code.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Step:
    """One step of a procedure."""

    name: str
    text: str


@dataclass(frozen=True)
class Procedure:
    """A procedure (检查, 处罚一般程序 …) and the text it rests on."""

    key: str
    title: str
    basis: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Section:
    """A section of a service guide."""

    heading: str
    body: str


@dataclass(frozen=True)
class Guide:
    """A service guide of a field (服务指南)."""

    field: str
    title: str
    sections: tuple[Section, ...]


@functools.cache
def procedures() -> tuple[Procedure, ...]:
    """The published procedures, in file order."""
    data = tomllib.loads((DATA / "procedures.toml").read_text(encoding="utf-8"))
    return tuple(
        Procedure(p["key"], p["title"], p["basis"], tuple(Step(**s) for s in p["steps"]))
        for p in data["procedures"]
    )


@functools.cache
def guide(field: str) -> Guide:
    """The guide of a subject field (the default guide for a field without its own)."""
    path = DATA / "guides" / f"{field}.toml"
    # the field comes from the registry, never from the URL; still, stay inside the folder
    if path.resolve().parent != (DATA / "guides").resolve() or not path.is_file():
        path = DATA / "guides" / "default.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Guide(field, data["title"], tuple(Section(**s) for s in data["sections"]))
