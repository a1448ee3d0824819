"""The open-data API (/api/open/v1, #16) and the portal's JSON and CSV twins."""
