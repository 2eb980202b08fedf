"""Insights: daily snapshots, health checks, the value-creation matrix, dashboards and the constellation."""
