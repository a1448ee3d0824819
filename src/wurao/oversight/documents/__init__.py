"""Supervision documents (监督意见书, 监督建议书, 督办通知, 评查通报): numbered per supervising
organ and year, sent to the subject's inbox, the reply tracked (#13)."""
