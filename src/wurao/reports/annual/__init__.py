"""Annual statistics (年度行政执法数据, #16): figures from the record per subject and region, the
subject's manual figures, 法制审核, approval and publication by 31 January, reproducible."""
