"""Major-decision filing (重大执法决定备案, #12): which decisions must be filed, the filing created
by the decision, the supervisor's review (accept or return with a 监督意见), late filings."""
