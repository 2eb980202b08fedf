"""Models of communities."""
