"""双随机、一公开: verifiable random draws of enterprises and officers, and publication."""
