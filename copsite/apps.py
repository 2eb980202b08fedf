"""App configuration for the project package (templates, commands and tasks that compose every app)."""

from django.apps import AppConfig


class CopsiteConfig(AppConfig):
    name = "copsite"
    verbose_name = "CoPsite"
