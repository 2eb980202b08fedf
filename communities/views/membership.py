"""Views of communities: membership (being written)."""

from django.http import Http404


def email_invitation(request, *args, **kwargs):
    raise Http404


def join(request, *args, **kwargs):
    raise Http404


def request_to_join(request, *args, **kwargs):
    raise Http404


def respond(request, *args, **kwargs):
    raise Http404


def my_level(request, *args, **kwargs):
    raise Http404


def leave(request, *args, **kwargs):
    raise Http404
