"""Tests of the joint domain (综合查一次)."""
