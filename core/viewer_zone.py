"""The viewer's time zone, active for their whole request, so every time a page shows is in their own zone.

The zone is kept in the session when they sign in (and when they change it), so that no page pays a query for
it; `ViewerZoneMiddleware` activates it for each request of a signed-in person.
"""

import zoneinfo

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "viewer_zone"


def viewer_zone_name(user) -> str:
    """The zone a person reads and types times in: their profile's (`user.profile.time_zone`), else the site's."""
    return valid_zone_name(getattr(getattr(user, "profile", None), "time_zone", ""))


def viewer_zone(user) -> zoneinfo.ZoneInfo:
    """`viewer_zone_name` as a zone: for times written to a person outside their request (mail, reports)."""
    return zoneinfo.ZoneInfo(viewer_zone_name(user))


def valid_zone_name(name: str | None) -> str:
    """`name` if it is a time zone this server knows, else the site's zone."""
    name = name or settings.TIME_ZONE
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE
    return name


def remember_zone(request: HttpRequest, user, *, name: str | None = None) -> str:
    """Keep the person's zone in their session (at sign-in, and after they change it to `name`)."""
    name = name or viewer_zone_name(user)
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = name
    return name


@receiver(user_logged_in, dispatch_uid="core.viewer_zone")
def _remember_at_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        remember_zone(request, user)


def reads_no_session(view):
    """Mark a view whose requests never read the session (calendar feeds, reached by a token): no zone is
    activated for it, so a browser's session is left alone and the response does not vary on cookies."""
    view.reads_no_session = True
    return view


class ViewerZoneMiddleware:
    """Activate the signed-in viewer's zone for the request (the site's zone for everyone else)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if (
            getattr(view_func, "reads_no_session", False)
            or settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            return  # nobody signed in (health checks), or a view that must not read the session (feeds)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = request.session.get(SESSION_KEY) or remember_zone(request, user)
            timezone.activate(zoneinfo.ZoneInfo(name))
