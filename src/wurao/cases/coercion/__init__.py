"""Coercive measures (行政强制, #12): 查封、扣押、冻结 within a case or before one, their
30 + 30-day clocks, 强制执行 with its 催告 and the court application (rules E1–E10)."""
