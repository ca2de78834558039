"""Pantau: the regency's election-monitoring desk."""
