"""Imports every domain's models so that the metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "wurao.core.models",
    "wurao.registry.models",
    "wurao.auth.models",
    "wurao.planning.models",
    "wurao.inspections.models",
    "wurao.inspections.enterprise_models",
    "wurao.inspections.field_models",
    "wurao.oversight.models",
    "wurao.sampling.models",
    "wurao.joint.models",
    "wurao.cases.models",
    "wurao.cases.coercion.models",
    "wurao.discretion.models",
    "wurao.registry.monitors.models",
    "wurao.oversight.rectification.models",
    "wurao.oversight.reviews.models",
    "wurao.oversight.documents.models",
    "wurao.oversight.filings.models",
    "wurao.oversight.fines.models",
    "wurao.reports.annual.models",
)


def import_all_models() -> None:
    """Import every models module listed above."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
