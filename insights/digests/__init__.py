"""Digest and report builders, one module per kind; each registers itself in insights.apps."""
