"""Repertoire: resources, revisions, applied stories and collections."""
