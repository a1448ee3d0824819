"""The composition root's wiring: which domains react to which events (``wurao.core.events``).

Why a module of its own: the domains that emit events (inspections, planning) must not import
the ones that react (oversight), so someone above both has to connect them. Every entry point
calls ``register_handlers()`` before it serves or runs anything — the web app factory
(``wurao.web.app.create_app``), the ``wurao`` command (``wurao.cli``), the benchmarks and the
test setup. Calling it again changes nothing.
"""

from __future__ import annotations

from wurao.oversight import handlers as oversight_handlers
from wurao.reports.annual import handlers as annual_handlers


def register_handlers() -> None:
    """Subscribe every domain's event handlers (idempotent)."""
    oversight_handlers.register()
    annual_handlers.register()
