"""Annual inspection plans, special inspections, unplanned approvals, filing and publication."""
