"""ASGI entry point: ``uvicorn wurao.web.main:app``."""

from wurao.web.app import create_app

app = create_app()
