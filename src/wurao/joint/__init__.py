"""综合查一次: joint-inspection candidates between subjects' annual plans."""
