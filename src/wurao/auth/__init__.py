"""Users, roles, region scope, sign-in, permissions."""
