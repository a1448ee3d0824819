"""The clue loop (线索): channels in, classification, routing with a deadline, 督办, answer,
回访 and the supervisor's closure (issue #13)."""
