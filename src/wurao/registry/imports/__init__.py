"""Registry: imports."""
