"""Views of activities: calendars (being written)."""

from django.http import Http404


def my_calendar(request, *args, **kwargs):
    raise Http404


def whats_on(request, *args, **kwargs):
    raise Http404


def community_calendar(request, *args, **kwargs):
    raise Http404
