"""Core mechanisms: settings, database, time, working days, policy, audit chain, errors."""
