"""Discretion benchmarks (裁量基准, D24) and the leniency lists (D17)."""
