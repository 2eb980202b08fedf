"""Views of communities: browse (being written)."""

from django.http import Http404


def browse(request, *args, **kwargs):
    raise Http404


def propose(request, *args, **kwargs):
    raise Http404


def home(request, *args, **kwargs):
    raise Http404


def members(request, *args, **kwargs):
    raise Http404


def settings_edit(request, *args, **kwargs):
    raise Http404
