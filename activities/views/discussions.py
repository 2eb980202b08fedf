"""Views of discussions (being written)."""

from django.http import Http404


def discussion_list(request, *args, **kwargs):
    raise Http404


def start(request, *args, **kwargs):
    raise Http404


def preview(request, *args, **kwargs):
    raise Http404


def reports(request, *args, **kwargs):
    raise Http404


def resolve_report(request, *args, **kwargs):
    raise Http404


def thread(request, *args, **kwargs):
    raise Http404


def reply(request, *args, **kwargs):
    raise Http404


def follow(request, *args, **kwargs):
    raise Http404


def accept(request, *args, **kwargs):
    raise Http404


def pin(request, *args, **kwargs):
    raise Http404


def lock(request, *args, **kwargs):
    raise Http404


def edit_post(request, *args, **kwargs):
    raise Http404


def delete_post(request, *args, **kwargs):
    raise Http404


def hide_post(request, *args, **kwargs):
    raise Http404


def unhide_post(request, *args, **kwargs):
    raise Http404


def report_post(request, *args, **kwargs):
    raise Http404
