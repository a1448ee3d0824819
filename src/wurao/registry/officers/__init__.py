"""Registry: officers."""
