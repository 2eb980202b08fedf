"""The Celery app: configured from Django settings (namespace CELERY_), tasks found in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")

app = Celery("copsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
