"""Views of communities: manage (being written)."""

from django.http import Http404


def manage_members(request, *args, **kwargs):
    raise Http404


def export_members(request, *args, **kwargs):
    raise Http404


def invite(request, *args, **kwargs):
    raise Http404


def decide(request, *args, **kwargs):
    raise Http404


def change_level(request, *args, **kwargs):
    raise Http404


def change_role(request, *args, **kwargs):
    raise Http404


def remove(request, *args, **kwargs):
    raise Http404


def withdraw_email_invitation(request, *args, **kwargs):
    raise Http404
