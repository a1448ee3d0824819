"""``wurao serve``: one worker per core by default, ``--workers N`` otherwise (no server runs)."""

from __future__ import annotations

import os
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from wurao.cli import app


@pytest.mark.parametrize(
    ("args", "workers"),
    [([], os.cpu_count() or 1), (["--workers", "3"], 3), (["--reload", "--workers", "3"], 1)],
)
def test_serve_workers(monkeypatch: pytest.MonkeyPatch, args: list[str], workers: int) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: seen.update(kw, target=target))
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 0, result.output
    assert seen["target"] == "wurao.web.main:app" and seen["workers"] == workers
    assert seen["proxy_headers"] and not seen["access_log"]
