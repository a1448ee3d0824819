"""Benchmarks: ``python -m bench`` runs them and writes JSON into bench/results/."""
