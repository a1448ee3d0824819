"""ASGI entry point: ``uvicorn wurao.web.main:app``."""

import gc

from wurao.web.app import create_app

app = create_app()
# What importing and building the application made (mappers, templates, compiled statements,
# policy) lives as long as the worker: moved out of the collector's reach, a full collection
# no longer walks it (one such collection stalled a request for 1.4 s in bench/verify.py).
gc.freeze()
