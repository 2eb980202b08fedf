"""Models of repertoire."""
