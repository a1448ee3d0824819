"""Registry: subjects."""
