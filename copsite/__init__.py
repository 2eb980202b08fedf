"""CoPsite project package: settings, URLs, the Celery app and the pages that compose every app."""

from copsite.celery import app as celery_app

__all__ = ("celery_app",)
