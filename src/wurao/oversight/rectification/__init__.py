"""Rectification items (整改事项): what a subject must fix, its answer with evidence, and the
supervisor's acceptance (销号) or return — shared by alerts, case-file reviews and clues (#13)."""
