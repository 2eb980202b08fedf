"""WSGI entry point (gunicorn copsite.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")
application = get_wsgi_application()
