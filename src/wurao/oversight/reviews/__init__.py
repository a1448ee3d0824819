"""Case-file reviews (案卷评查): review plans, a verifiable drawn sample of files, the scoring
checklist with automatic checks, reviewers' scores and problems (#13)."""
