"""Registries of 执法监督员 (appointed enforcement monitors) and 企业联系点 (enterprises that
volunteer to report directly), with import and export like the other registries (#13)."""
