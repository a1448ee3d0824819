"""Reports built on the other domains' data: the public portal (公示) and the filing package."""
