"""wurao (无扰): supervision platform for enterprise-related administrative inspections."""

__version__ = "0.1.0"
