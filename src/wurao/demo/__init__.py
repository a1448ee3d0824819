"""Demo and benchmark data: a realistic synthetic city, deterministic from a seed."""
