"""Penalty cases (行政处罚): docs/cases.md."""
