"""Fine revenue (罚没收入, #12): monthly figures from paid cases and the finance side's imports,
and the rules that signal a fine quota (F1 growth, 顶格 share, regularity, 罚缴分离)."""
