"""Registry: enterprises."""
