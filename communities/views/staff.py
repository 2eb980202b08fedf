"""Views of communities: staff (being written)."""

from django.http import Http404


def attention(request, *args, **kwargs):
    raise Http404


def sponsors(request, *args, **kwargs):
    raise Http404


def end_sponsorship(request, *args, **kwargs):
    raise Http404


def archive(request, *args, **kwargs):
    raise Http404


def appoint(request, *args, **kwargs):
    raise Http404


def deactivate_member(request, *args, **kwargs):
    raise Http404
