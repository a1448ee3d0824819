"""Registry: items."""
