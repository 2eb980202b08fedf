"""Insights views: the dashboard, a community's health page, the constellation."""
