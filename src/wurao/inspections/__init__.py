"""Inspection tasks, pre-checks, 行政行为码, records and enterprise evaluations."""
