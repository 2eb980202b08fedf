"""App configuration for repertoire."""

from django.apps import AppConfig


class RepertoireConfig(AppConfig):
    name = "repertoire"
    verbose_name = "Repertoire"
