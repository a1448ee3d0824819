"""Supervision: rules engine and alerts, clues, case-file review, supervision documents."""
