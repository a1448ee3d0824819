"""Tests of the reports domain: annual statistics, the public portal and the open-data API."""
