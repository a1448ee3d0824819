"""System administration: calendar table, audit log, accounts overview."""
