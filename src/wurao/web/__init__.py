"""Web layer: the FastAPI application, page shell, templates and static assets."""
