"""Registries: regions, enforcement subjects, officers, enterprises, inspection items."""
