"""Views of activities: schedule (being written)."""

from django.http import Http404


def schedule(request, *args, **kwargs):
    raise Http404


def occurrence(request, *args, **kwargs):
    raise Http404


def rsvp(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def move(request, *args, **kwargs):
    raise Http404


def cancel(request, *args, **kwargs):
    raise Http404


def restore(request, *args, **kwargs):
    raise Http404


def attendance(request, *args, **kwargs):
    raise Http404


def notes(request, *args, **kwargs):
    raise Http404
