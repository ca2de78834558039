"""Helpers with no knowledge of elections: errors, YAML with line numbers, geometry, time."""
