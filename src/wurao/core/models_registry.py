"""Imports every domain's models so that the metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "wurao.core.models",
    "wurao.registry.models",
    "wurao.auth.models",
    "wurao.planning.models",
    "wurao.inspections.models",
    "wurao.oversight.models",
    "wurao.sampling.models",
    "wurao.cases.models",
    "wurao.discretion.models",
)


def import_all_models() -> None:
    """Import every models module listed above."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
